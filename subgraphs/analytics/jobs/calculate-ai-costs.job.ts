import { defineJob } from '../../../platform/jobs/job-definition';
import type { AnalyticsServices } from '../services';

export const calculateAiCostsJob = defineJob<AnalyticsServices>({
  name: 'analytics.calculate-ai-costs',
  description: 'Prices AI usage events recorded without a cost, from the price list (integer micro-dollars).',
  schedule: '5 * * * *',
  run: async (context, services) => {
    const { priced, unpriceable } = await services.aiUsage.priceUnpriced({
      organizationId: context.payload.organizationId,
      signal: context.signal,
    });
    return { priced, unpriceable };
  },
});
