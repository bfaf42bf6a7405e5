import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { OutboxMessage } from '../../platform/outbox/outbox-message.entity';
import { ProcessedEvent } from '../../platform/outbox/processed-event.entity';
import { analyticsMigrations } from '../../migrations/analytics';
import { AiUsageEvent } from './entities/ai-usage-event.entity';
import { CallRecord } from './entities/call-record.entity';
import { CostInsight } from './entities/cost-insight.entity';
import { Report } from './entities/report.entity';
import { ReportRun } from './entities/report-run.entity';
import { LiveMetrics } from './entities/live-metrics.entity';
import { OrganizationPlan } from './entities/organization-plan.entity';
import { OrganizationUser } from './entities/organization-user.entity';
import { Recording } from './entities/recording.entity';
import { AiUsageResolver } from './resolvers/ai-usage.resolver';
import { CallRecordResolver } from './resolvers/call-record.resolver';
import { LiveMetricsResolver } from './resolvers/live-metrics.resolver';
import { CostInsightResolver } from './resolvers/cost-insight.resolver';
import { RecordingResolver } from './resolvers/recording.resolver';
import { OrganizationAnalyticsResolver } from './resolvers/organization-analytics.resolver';
import { ReportResolver } from './resolvers/report.resolver';
import { ReportRunResolver } from './resolvers/report-run.resolver';
import { billingPlanConsumer } from './consumers/billing-plan.consumer';
import { analyticsRetentionConsumer } from './consumers/retention.consumer';
import { calculateAiCostsJob } from './jobs/calculate-ai-costs.job';
import { generateInsightsJob } from './jobs/generate-insights.job';
import { refreshViewsJob } from './jobs/refresh-views.job';
import { runReportsJob } from './jobs/run-reports.job';
import { analyticsRoutes } from './routes';
import { analyseRecordingsJob } from './jobs/analyse-recordings.job';
import { summariseRecordingsJob } from './jobs/summarise-recordings.job';
import { transcribeRecordingsJob } from './jobs/transcribe-recordings.job';
import { createAnalyticsServices } from './services';
import type { AnalyticsServices } from './services';
import { AnalyticsOrganization } from './types/metrics.type';

/**
 * Analytics: call records and their quality (ITU-T G.107), AI usage and its cost, the
 * organization's analytics from materialized views, cost insights, custom reports (run by the
 * job worker, downloaded through signed links), and the live figures.
 * Finished calls and AI uses are reported to billing as `usage.reported` facts.
 */
export const analyticsSubgraph = defineSubgraph<AnalyticsServices, Record<string, never>>({
  name: 'analytics',
  storage: {
    schema: 'analytics',
    entities: [
      LiveMetrics,
      CallRecord,
      AiUsageEvent,
      OrganizationUser,
      OrganizationPlan,
      CostInsight,
      Report,
      ReportRun,
      Recording,
      OutboxMessage,
      ProcessedEvent,
    ],
    migrations: analyticsMigrations,
  },
  buildSchema: () =>
    buildFederatedSchema({
      name: 'analytics',
      dataSubject: true,
      resolvers: [
        LiveMetricsResolver,
        CallRecordResolver,
        AiUsageResolver,
        OrganizationAnalyticsResolver,
        CostInsightResolver,
        ReportResolver,
        ReportRunResolver,
        RecordingResolver,
      ],
      orphanedTypes: [AnalyticsOrganization],
      referenceResolvers: { Organization: { __resolveReference: ({ id }: { id: string }) => ({ id }) } },
    }),
  createServices: createAnalyticsServices,
  publishes: ['usage.reported', 'retention.applied', 'audit.mutation.recorded'],
  consumers: () => [billingPlanConsumer(), analyticsRetentionConsumer()],
  jobs: [
    refreshViewsJob,
    calculateAiCostsJob,
    generateInsightsJob,
    runReportsJob,
    transcribeRecordingsJob,
    analyseRecordingsJob,
    summariseRecordingsJob,
  ],
  routes: analyticsRoutes,
  createLoaders: () => ({}),
});

export { createAnalyticsServices } from './services';
export type { AnalyticsServices } from './services';
export { AnalyticsPeriod } from './services/organization-analytics.service';
