import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { auditMigrations } from '../../migrations/audit';

/** The audit subgraph. So far it answers its part of `health`; its features build on this. */
export const auditSubgraph = defineSubgraph<Record<string, never>, Record<string, never>>({
  name: 'audit',
  storage: { schema: 'audit', entities: [], migrations: auditMigrations },
  buildSchema: () => buildFederatedSchema({ name: 'audit' }),
  createServices: () => ({}),
  createLoaders: () => ({}),
});
