import { buildFederatedSchema } from '../kernel/federation';
import { defineSubgraph } from '../kernel/subgraph';
import { analyticsMigrations } from '../../migrations/analytics';

/** The analytics subgraph. So far it answers its part of `health`; its features build on this. */
export const analyticsSubgraph = defineSubgraph<Record<string, never>, Record<string, never>>({
  name: 'analytics',
  storage: { schema: 'analytics', entities: [], migrations: analyticsMigrations },
  buildSchema: () => buildFederatedSchema({ name: 'analytics' }),
  createServices: () => ({}),
  createLoaders: () => ({}),
});
