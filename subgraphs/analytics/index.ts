import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { analyticsMigrations } from '../../migrations/analytics';
import { LiveMetrics } from './entities/live-metrics.entity';
import { LiveMetricsResolver } from './resolvers/live-metrics.resolver';
import { createAnalyticsServices } from './services';
import type { AnalyticsServices } from './services';
import { AnalyticsOrganization } from './types/metrics.type';

/** Analytics: so far the live call figures, as a query and a subscription. */
export const analyticsSubgraph = defineSubgraph<AnalyticsServices, Record<string, never>>({
  name: 'analytics',
  storage: { schema: 'analytics', entities: [LiveMetrics], migrations: analyticsMigrations },
  buildSchema: () =>
    buildFederatedSchema({
      name: 'analytics',
      resolvers: [LiveMetricsResolver],
      orphanedTypes: [AnalyticsOrganization],
      referenceResolvers: { Organization: { __resolveReference: ({ id }: { id: string }) => ({ id }) } },
    }),
  createServices: createAnalyticsServices,
  createLoaders: () => ({}),
});
