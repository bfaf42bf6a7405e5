import type { EntityManager } from 'typeorm';
import type { Authorizer } from '../../../platform/authorization/authorizer';
import { OWNER_ROLE_ID } from '../../../platform/authorization/system-roles';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../../platform/errors';
import { parseId } from '../../../platform/ids';
import type { RoleAssignmentReason, RoleUnassignmentReason } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';
import type { MembershipService } from './membership.service';
import type { PolicyWriter } from './policy-writer';
import type { RoleService } from './role.service';

/** A user's role in an organization, as the `g` line stores it. */
export interface AssignmentView {
  organizationId: string;
  userId: string;
  roleId: string;
  /** Null: until revoked. */
  expiresAt: Date | null;
  /** Whether it grants anything right now (false once expired). */
  active: boolean;
}

export interface AssignRole {
  userId: string;
  roleId: string;
  expiresAt?: Date | null;
}

/** Who gave a role and why; the fact `authz.role.assigned` says both. */
export interface AssignedBy {
  assignedById: string | null;
  reason: RoleAssignmentReason;
}

/** Who took a role and why; the fact `authz.role.unassigned` says both (with the review's ids for an access review). */
export interface UnassignedBy {
  unassignedById: string | null;
  reason: RoleUnassignmentReason;
  reviewId?: string;
  entryId?: string;
}

/**
 * Role assignments, each change stated as a fact (`authz.role.assigned`, `authz.role.unassigned`)
 * in the transaction of the change, for compliance's access reviews and the audit log.
 */
export class AssignmentService {
  constructor(
    private readonly authorizer: Authorizer,
    private readonly writer: PolicyWriter,
    private readonly roles: RoleService,
    private readonly memberships: MembershipService,
    private readonly outbox: Outbox,
  ) {}

  async listForUser(organizationId: string, userId: string): Promise<AssignmentView[]> {
    const policy = await this.authorizer.policyFor(organizationId);
    const now = this.authorizer.now();
    return policy.assignmentsOf(userId).map((rule) => ({
      organizationId,
      userId,
      roleId: rule.role,
      expiresAt: rule.expiresAt === null ? null : new Date(rule.expiresAt),
      active: rule.expiresAt === null || rule.expiresAt > now,
    }));
  }

  /**
   * Gives an active member of the organization the role (again: a second assignment
   * replaces the expiry). The caller must hold everything the role grants. `expiresAt`, if
   * given, must be in the future.
   */
  async assign(organizationId: string, callerId: string, input: AssignRole): Promise<AssignmentView> {
    const userId = parseId('user', input.userId, 'input.userId');
    await this.roles.get(organizationId, input.roleId, 'input.roleId');
    await this.roles.assertCallerHoldsRole(organizationId, callerId, input.roleId, 'input.roleId');
    await this.memberships.assertActive(organizationId, userId, 'input.userId');
    return this.grant(organizationId, { ...input, userId }, { assignedById: callerId, reason: 'assigned' });
  }

  /**
   * Without the caller and membership checks: for the demo data and tests, which build
   * organizations directly. An expiry on an owner's role is refused when no other owner
   * would be left once it lapses.
   */
  async grant(
    organizationId: string,
    input: AssignRole,
    by: AssignedBy = { assignedById: null, reason: 'assigned' },
  ): Promise<AssignmentView> {
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt && expiresAt.getTime() <= this.authorizer.now()) {
      throw new BadUserInputError('input.expiresAt: must be in the future', 'input.expiresAt');
    }
    await this.writer.change(organizationId, async (manager) => {
      if (input.roleId === OWNER_ROLE_ID && expiresAt) {
        await this.assertAnotherOwner(manager, organizationId, input.userId, 'input.expiresAt');
      }
      await this.grantWithin(manager, organizationId, { ...input, expiresAt }, by);
    });
    return { organizationId, userId: input.userId, roleId: input.roleId, expiresAt, active: true };
  }

  /** The `g` line and its fact, in a transaction that holds the organization's policy lock (PolicyWriter). */
  async grantWithin(
    manager: EntityManager,
    organizationId: string,
    input: { userId: string; roleId: string; expiresAt?: Date | null },
    by: AssignedBy,
  ): Promise<void> {
    const expiresAt = input.expiresAt?.toISOString() ?? null;
    const [previous] = (await manager.query(
      `SELECT v3 AS "expiresAt" FROM authz.casbin_rule WHERE ptype = 'g' AND v0 = $1 AND v1 = $2 AND v2 = $3`,
      [input.userId, input.roleId, organizationId],
    )) as { expiresAt: string | null }[];
    // The same role again, with the same expiry, changes nothing: no fact.
    if (previous && previous.expiresAt === expiresAt) return;
    await manager.query(
      `INSERT INTO authz.casbin_rule (ptype, v0, v1, v2, v3) VALUES ('g', $1, $2, $3, $4)
       ON CONFLICT (v0, v1, v2) WHERE ptype = 'g' DO UPDATE SET v3 = EXCLUDED.v3`,
      [input.userId, input.roleId, organizationId, expiresAt],
    );
    await this.outbox.add(manager, {
      type: 'authz.role.assigned',
      payload: {
        organizationId,
        userId: input.userId,
        roleId: input.roleId,
        expiresAt,
        ...(previous ? { previousExpiresAt: previous.expiresAt } : {}),
        ...by,
      },
    });
  }

  /** Takes the roles (`roleId`: one, absent: all of them) with a fact for each; same lock as `grantWithin`. Answers the roles taken. */
  async unassignWithin(
    manager: EntityManager,
    organizationId: string,
    userId: string,
    roleId: string | null,
    by: UnassignedBy,
  ): Promise<string[]> {
    const removed = (await manager.query(
      `WITH removed AS (
         DELETE FROM authz.casbin_rule WHERE ptype = 'g' AND v0 = $1 AND v2 = $2 AND ($3::text IS NULL OR v1 = $3) RETURNING v1
       ) SELECT v1 AS "roleId" FROM removed ORDER BY v1`,
      [userId, organizationId, roleId],
    )) as { roleId: string }[];
    await this.outbox.addMany(
      manager,
      removed.map((row) => ({ type: 'authz.role.unassigned' as const, payload: { organizationId, userId, roleId: row.roleId, ...by } })),
    );
    return removed.map((row) => row.roleId);
  }

  /** Every role of the user in the organization, when their membership ends; same lock as `grantWithin`. */
  async revokeAllWithin(manager: EntityManager, organizationId: string, userId: string): Promise<void> {
    await this.unassignWithin(manager, organizationId, userId, null, { unassignedById: null, reason: 'member_removed' });
  }

  /** Takes the role away. Only an owner may take the owner role, and the organization's last owner keeps theirs. */
  async revoke(organizationId: string, callerId: string, input: { userId: string; roleId: string }): Promise<AssignmentView> {
    const userId = parseId('user', input.userId, 'input.userId');
    const roleId = parseId('role', input.roleId, 'input.roleId');
    await this.roles.assertCallerHoldsRole(organizationId, callerId, roleId, 'input.roleId');
    if (
      roleId === OWNER_ROLE_ID &&
      !(await this.authorizer.policyFor(organizationId)).holds(callerId, OWNER_ROLE_ID, this.authorizer.now())
    ) {
      throw new ForbiddenError('input.roleId: only an owner may take the owner role away', { field: 'input.roleId' });
    }
    const [existing] = (await this.listForUser(organizationId, userId)).filter((assignment) => assignment.roleId === roleId);
    if (!existing) throw new NotFoundError('RoleAssignment', `${userId} ${roleId}`, 'input.roleId');
    await this.writer.change(organizationId, async (manager) => {
      if (roleId === OWNER_ROLE_ID) await this.assertAnotherOwner(manager, organizationId, userId, 'input.roleId');
      await this.unassignWithin(manager, organizationId, userId, roleId, { unassignedById: callerId, reason: 'revoked' });
    });
    return { ...existing, active: false };
  }

  /**
   * An organization always keeps an owner who can act: another user than `userId` whose
   * owner role does not expire (one that lapses would leave nobody) and who is an active
   * member. Runs inside the organization's policy lock, so two changes cannot both pass.
   */
  private async assertAnotherOwner(manager: EntityManager, organizationId: string, userId: string, field: string): Promise<void> {
    if (!(await this.hasAnotherOwner(manager, organizationId, userId))) {
      throw new ConflictError(
        `${field}: this is the last owner of the organization; make another active member owner, without an expiry, first`,
        field,
      );
    }
  }

  /** Whether someone other than `userId` is an active owner without an expiry; inside the organization's policy lock. */
  async hasAnotherOwner(manager: EntityManager, organizationId: string, userId: string): Promise<boolean> {
    const rows: { userId: string }[] = await manager.query(
      `SELECT v0 AS "userId" FROM authz.casbin_rule WHERE ptype = 'g' AND v1 = $1 AND v2 = $2 AND v0 <> $3 AND v3 IS NULL`,
      [OWNER_ROLE_ID, organizationId, userId],
    );
    // The membership projection changes only under the same policy lock (RoleProvisioningService).
    const active = await this.memberships.activeAmong(
      organizationId,
      rows.map((row) => row.userId),
    );
    return active.size > 0;
  }
}
