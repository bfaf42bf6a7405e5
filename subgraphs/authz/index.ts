import { buildFederatedSchema } from '../kernel/federation';
import { defineSubgraph } from '../kernel/subgraph';
import { authzMigrations } from '../../migrations/authz';

/** The authz subgraph. So far it answers its part of `health`; its features build on this. */
export const authzSubgraph = defineSubgraph<Record<string, never>, Record<string, never>>({
  name: 'authz',
  storage: { schema: 'authz', entities: [], migrations: authzMigrations },
  buildSchema: () => buildFederatedSchema({ name: 'authz' }),
  createServices: () => ({}),
  createLoaders: () => ({}),
});
