import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { authzMigrations } from '../../migrations/authz';
import { CasbinRule } from './entities/casbin-rule.entity';
import { Role } from './entities/role.entity';
import { Membership } from './entities/membership.entity';
import { membershipRolesConsumer } from './consumers/membership-roles.consumer';
import { ProcessedEvent } from '../../platform/outbox/processed-event.entity';
import { OutboxMessage } from '../../platform/outbox/outbox-message.entity';
import { createAuthzLoaders } from './loaders';
import type { AuthzLoaders } from './loaders';
import { AssignmentResolver } from './resolvers/assignment.resolver';
import { PermissionResolver } from './resolvers/permission.resolver';
import { RoleResolver } from './resolvers/role.resolver';
import { UserRolesResolver } from './resolvers/user-roles.resolver';
import { authzUserReference } from './resolvers/user.reference';
import { createAuthzServices } from './services';
import type { AuthzServices } from './services';

/** Roles, assignments and permission decisions, on Casbin's policy table; roles follow identity's membership events. */
export const authzSubgraph = defineSubgraph<AuthzServices, AuthzLoaders>({
  name: 'authz',
  storage: { schema: 'authz', entities: [CasbinRule, Role, Membership, ProcessedEvent, OutboxMessage], migrations: authzMigrations },
  buildSchema: () =>
    buildFederatedSchema({
      name: 'authz',
      resolvers: [RoleResolver, AssignmentResolver, PermissionResolver, UserRolesResolver],
      referenceResolvers: { User: authzUserReference },
    }),
  createServices: createAuthzServices,
  createLoaders: createAuthzLoaders,
  consumers: (services) => [membershipRolesConsumer(services)],
  // Its mutations' outcomes, for the audit log (platform/mutation-audit.ts).
  publishes: ['audit.mutation.recorded'],
});

/** For the commands and the one-process runtime, which import a subgraph only through this file. */
export { createAuthzServices } from './services';
export type { AuthzServices } from './services';
export { membershipRolesConsumer } from './consumers/membership-roles.consumer';
