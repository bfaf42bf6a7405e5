import { defineJob } from '../../../platform/jobs/job-definition';
import type { AnalyticsServices } from '../services';

export const runReportsJob = defineJob<AnalyticsServices>({
  name: 'analytics.run-reports',
  description:
    'Queues the custom reports whose schedule is due, then computes every queued run (CSV, JSON or PDF) and keeps its output for download.',
  schedule: '* * * * *',
  retryLimit: 0,
  timeoutSeconds: 600,
  run: async (context, services) => {
    const queued = context.payload.organizationId ? 0 : await services.reports.queueDue();
    const { succeeded, failed, retrying } = await services.reports.processQueued({
      organizationId: context.payload.organizationId,
      signal: context.signal,
      progress: (done, total) => context.progress(done, total),
    });
    return { queued, succeeded, failed, retrying };
  },
});
