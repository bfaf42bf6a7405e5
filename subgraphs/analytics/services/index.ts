import type { SubgraphDependencies } from '../../../platform/subgraph';
import { LiveMetricsService } from './live-metrics.service';

export interface AnalyticsServices {
  liveMetrics: LiveMetricsService;
}

export function createAnalyticsServices({ dataSource, events }: Pick<SubgraphDependencies, 'dataSource' | 'events'>): AnalyticsServices {
  return { liveMetrics: new LiveMetricsService(dataSource, events) };
}
