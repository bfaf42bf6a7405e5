import type { EntityManager } from 'typeorm';

/**
 * Which users are active members of an organization, as far as authz can tell: the
 * last-owner rule counts only owners who are. Identity owns memberships; authz has no
 * copy of them yet, so for now everyone holding a role counts (identity applies the
 * membership half of the rule itself before it removes or suspends anyone).
 */
export interface MembershipView {
  activeMembers(manager: EntityManager, organizationId: string, userIds: readonly string[]): Promise<Set<string>>;
}

export const everyRoleHolderIsMember: MembershipView = {
  activeMembers: async (_manager, _organizationId, userIds) => new Set(userIds),
};
