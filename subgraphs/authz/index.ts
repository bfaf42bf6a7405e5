import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { authzMigrations } from '../../migrations/authz';
import { CasbinRule } from './entities/casbin-rule.entity';
import { Role } from './entities/role.entity';
import { mountInternalRoutes } from './internal-routes';
import { createAuthzLoaders } from './loaders';
import type { AuthzLoaders } from './loaders';
import { AssignmentResolver } from './resolvers/assignment.resolver';
import { PermissionResolver } from './resolvers/permission.resolver';
import { RoleResolver } from './resolvers/role.resolver';
import { UserRolesResolver } from './resolvers/user-roles.resolver';
import { authzUserReference } from './resolvers/user.reference';
import { createAuthzServices } from './services';
import type { AuthzServices } from './services';

/** Roles, assignments and permission decisions, on Casbin's policy table. */
export const authzSubgraph = defineSubgraph<AuthzServices, AuthzLoaders>({
  name: 'authz',
  storage: { schema: 'authz', entities: [CasbinRule, Role], migrations: authzMigrations },
  buildSchema: () =>
    buildFederatedSchema({
      name: 'authz',
      resolvers: [RoleResolver, AssignmentResolver, PermissionResolver, UserRolesResolver],
      referenceResolvers: { User: authzUserReference },
    }),
  createServices: createAuthzServices,
  createLoaders: createAuthzLoaders,
  routes(app, services, dependencies) {
    mountInternalRoutes(app, services, dependencies.config, dependencies.logger);
  },
});

/** For the commands and the one-process runtime, which import a subgraph only through this file. */
export { createAuthzServices } from './services';
export type { AuthzServices } from './services';
export { directProvisioner } from './direct-provisioner';
