import type { SubgraphDependencies } from '../../../platform/subgraph';
import { Outbox } from '../../../platform/outbox/outbox';
import { AiUsageService } from './ai-usage.service';
import { CallQualityService } from './call-quality.service';
import { CallRecordService } from './call-record.service';
import { CostInsightService } from './cost-insight.service';
import { LiveMetricsService } from './live-metrics.service';
import { OrganizationAnalyticsService } from './organization-analytics.service';
import { RecordingService } from './recording.service';

export interface AnalyticsServices {
  liveMetrics: LiveMetricsService;
  calls: CallRecordService;
  aiUsage: AiUsageService;
  callQuality: CallQualityService;
  organizationAnalytics: OrganizationAnalyticsService;
  costInsights: CostInsightService;
  recordings: RecordingService;
}

/** Analytics' services: ingestion writes its facts (`usage.reported`) to analytics' outbox, then publishes the live figures. */
export function createAnalyticsServices(
  dependencies: Pick<SubgraphDependencies, 'dataSource' | 'events'> & Partial<Pick<SubgraphDependencies, 'messaging' | 'config'>>,
): AnalyticsServices {
  const { dataSource, events } = dependencies;
  const outbox = new Outbox(dependencies.messaging);
  const liveMetrics = new LiveMetricsService(dataSource, events);
  const changed = (organizationId: string) => liveMetrics.changed(organizationId);
  return {
    liveMetrics,
    calls: new CallRecordService(dataSource, outbox, changed),
    aiUsage: new AiUsageService(dataSource, outbox, changed),
    callQuality: new CallQualityService(dataSource),
    organizationAnalytics: new OrganizationAnalyticsService(dataSource),
    costInsights: new CostInsightService(dataSource),
    recordings: new RecordingService(dataSource, dependencies.config?.recordings.storageOrigins),
  };
}
