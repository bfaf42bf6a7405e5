import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { authzMigrations } from '../../migrations/authz';
import { CasbinRule } from './entities/casbin-rule.entity';
import { Role } from './entities/role.entity';
import { Membership } from './entities/membership.entity';
import { membershipRolesConsumer } from './consumers/membership-roles.consumer';
import { accessReviewRevocationsConsumer } from './consumers/access-review-revocations.consumer';
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

/**
 * Roles, assignments and permission decisions, on Casbin's policy table; roles follow identity's
 * membership events and access reviews' revoke requests, and every change to them is a fact.
 */
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
  consumers: (services) => [membershipRolesConsumer(services), accessReviewRevocationsConsumer(services)],
  // Role and assignment changes, for compliance's access reviews and the audit log; its mutations' outcomes (platform/mutation-audit.ts).
  publishes: [
    'authz.role.assigned',
    'authz.role.unassigned',
    'authz.role.created',
    'authz.role.updated',
    'authz.role.deleted',
    'audit.mutation.recorded',
  ],
});

/** For the commands and the one-process runtime, which import a subgraph only through this file. */
export { createAuthzServices } from './services';
export type { AuthzServices } from './services';
export { membershipRolesConsumer } from './consumers/membership-roles.consumer';
