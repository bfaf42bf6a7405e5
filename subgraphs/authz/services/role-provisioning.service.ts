import type { EntityManager } from 'typeorm';
import { MEMBER_ROLE_ID, OWNER_ROLE_ID, systemRole } from '../../../platform/authorization/system-roles';
import { isMembershipEvent } from '../../../platform/outbox/event-catalogue';
import type { AnyEvent, MembershipEvent } from '../../../platform/outbox/event-catalogue';
import { Role } from '../entities/role.entity';
import type { AssignmentService } from './assignment.service';
import type { MembershipChange, MembershipService } from './membership.service';
import type { PolicyWriter } from './policy-writer';

/**
 * Roles follow memberships, as identity states them: the creator of an organization
 * becomes its owner, a new member gets the role of their invitation (the member role when
 * none is named, or when that custom role was deleted meanwhile), and a membership that ends takes
 * every role with it. A suspension keeps the roles (access is refused while it lasts).
 * An event older than what authz already knows of the membership changes nothing.
 */
export class RoleProvisioningService {
  constructor(
    private readonly writer: PolicyWriter,
    private readonly memberships: MembershipService,
    private readonly assignments: AssignmentService,
  ) {}

  /** In the consumer's transaction (with its inbox row). */
  async apply(event: AnyEvent, manager: EntityManager): Promise<void> {
    if (!isMembershipEvent(event)) return;
    const change = changeOf(event);
    await this.writer.lock(manager, change.organizationId);
    if (!(await this.memberships.record(manager, change))) return;
    switch (event.type) {
      case 'identity.organization.created':
        await this.assignments.grantWithin(
          manager,
          change.organizationId,
          { userId: change.userId, roleId: OWNER_ROLE_ID },
          { assignedById: null, reason: 'organization_created' },
        );
        return;
      case 'identity.member.added':
        if (change.status === 'active') {
          const roleId = await roleOrMember(manager, change.organizationId, event.payload.roleId);
          await this.assignments.grantWithin(
            manager,
            change.organizationId,
            { userId: change.userId, roleId },
            { assignedById: null, reason: 'member_added' },
          );
        }
        return;
      case 'identity.member.removed':
        await this.assignments.revokeAllWithin(manager, change.organizationId, change.userId);
        return;
      case 'identity.member.status_changed':
        return;
    }
  }

  /** Once applied: every process drops its cached policy (roles may have changed). */
  async afterCommit(event: AnyEvent): Promise<void> {
    if (event.type !== 'identity.member.status_changed') await this.writer.changed();
  }
}

/** The invitation's role if it still exists in the organization, else the member role. */
async function roleOrMember(manager: EntityManager, organizationId: string, roleId: string | undefined): Promise<string> {
  if (!roleId || roleId === MEMBER_ROLE_ID) return MEMBER_ROLE_ID;
  if (systemRole(roleId)) return roleId;
  return (await manager.existsBy(Role, { id: roleId, organizationId })) ? roleId : MEMBER_ROLE_ID;
}

function changeOf(event: MembershipEvent): MembershipChange {
  const sequence = event.sequence;
  switch (event.type) {
    case 'identity.organization.created': {
      const { organizationId, creatorUserId, creatorMembershipId } = event.payload;
      return { organizationId, userId: creatorUserId, membershipId: creatorMembershipId, status: 'active', sequence };
    }
    case 'identity.member.added':
    case 'identity.member.status_changed':
      return { ...event.payload, sequence };
    case 'identity.member.removed':
      return { ...event.payload, status: 'removed', sequence };
  }
}
