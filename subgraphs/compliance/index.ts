import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { complianceMigrations } from '../../migrations/compliance';

/** The compliance subgraph. So far it answers its part of `health`; its features build on this. */
export const complianceSubgraph = defineSubgraph<Record<string, never>, Record<string, never>>({
  name: 'compliance',
  storage: { schema: 'compliance', entities: [], migrations: complianceMigrations },
  buildSchema: () => buildFederatedSchema({ name: 'compliance' }),
  createServices: () => ({}),
  createLoaders: () => ({}),
});
