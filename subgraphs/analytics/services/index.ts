import { AnalyticsDataSubjectService } from './data-subject.service';
import { derivedKey } from '../../../platform/secrets';
import type { SubgraphDependencies } from '../../../platform/subgraph';
import { Outbox } from '../../../platform/outbox/outbox';
import { AiUsageService } from './ai-usage.service';
import { CallQualityService } from './call-quality.service';
import { CallRecordService } from './call-record.service';
import { CostInsightService } from './cost-insight.service';
import { LiveMetricsService } from './live-metrics.service';
import { OrganizationAnalyticsService } from './organization-analytics.service';
import { ReportService } from './report.service';
import { RecordingService } from './recording.service';
import { RecordingProcessingService } from './recording-processing.service';
import { aiProviderOf } from './openai-compatible.client';

export interface AnalyticsServices {
  liveMetrics: LiveMetricsService;
  calls: CallRecordService;
  aiUsage: AiUsageService;
  callQuality: CallQualityService;
  organizationAnalytics: OrganizationAnalyticsService;
  costInsights: CostInsightService;
  reports: ReportService;
  recordings: RecordingService;
  recordingProcessing: RecordingProcessingService;
  /** The data-subject contract: the person's calls, recordings' text, AI usage. */
  dataSubject: AnalyticsDataSubjectService;
}

/** Analytics' services: ingestion writes its facts (`usage.reported`) to analytics' outbox, then publishes the live figures. */
export function createAnalyticsServices(
  dependencies: Pick<SubgraphDependencies, 'dataSource' | 'events' | 'config'> &
    Partial<Pick<SubgraphDependencies, 'messaging' | 'logger'>>,
): AnalyticsServices {
  const { dataSource, events, config } = dependencies;
  const outbox = new Outbox(dependencies.messaging);
  const liveMetrics = new LiveMetricsService(dataSource, events);
  const changed = (organizationId: string) => liveMetrics.changed(organizationId);
  const aiUsage = new AiUsageService(dataSource, outbox, changed);
  return {
    liveMetrics,
    calls: new CallRecordService(dataSource, outbox, changed),
    aiUsage,
    callQuality: new CallQualityService(dataSource),
    organizationAnalytics: new OrganizationAnalyticsService(dataSource),
    costInsights: new CostInsightService(dataSource),
    reports: new ReportService(dataSource, {
      key: derivedKey(config, 'analytics-report-links'),
      baseUrl: config.analytics.publicUrl,
      linkTtlSeconds: config.analytics.reportLinkTtlSeconds,
      logger: dependencies.logger,
    }),
    recordings: new RecordingService(dataSource, config.recordings.storageOrigins),
    recordingProcessing: new RecordingProcessingService(dataSource, aiUsage, aiProviderOf(config)),
    dataSubject: new AnalyticsDataSubjectService(dataSource),
  };
}
