import { defineJob } from '../../../platform/jobs/job-definition';
import type { AnalyticsServices } from '../services';

export const generateInsightsJob = defineJob<AnalyticsServices>({
  name: 'analytics.generate-insights',
  description: 'Runs the cost-insight rules (plan right-sizing, cheaper models, silent calls, idle seats) over the last 30 days.',
  schedule: '30 2 * * *',
  run: async (context, services) => {
    const { organizations, findings } = await services.costInsights.generate({
      organizationId: context.payload.organizationId,
      signal: context.signal,
    });
    return { organizations, findings };
  },
});
