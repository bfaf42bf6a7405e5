import { defineJob } from '../../../platform/jobs/job-definition';
import type { AnalyticsServices } from '../services';

/** The seed's nightly DAG step, more often: organizationAnalytics is as fresh as the last run. */
export const refreshViewsJob = defineJob<AnalyticsServices>({
  name: 'analytics.refresh-views',
  description:
    'Refreshes the materialized views organization_analytics_summary and daily_usage_summary (CONCURRENTLY) with refresh_analytics_views().',
  schedule: '*/15 * * * *',
  timeoutSeconds: 30 * 60,
  run: async (_context, services) => {
    const refreshedAt = await services.organizationAnalytics.refreshViews();
    return { refreshedAt: refreshedAt.toISOString() };
  },
});
