import type { Authorizer } from '../../../platform/authorization/authorizer';
import { OWNER_ROLE_ID } from '../../../platform/authorization/system-roles';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../platform/errors';
import { CasbinRule } from '../entities/casbin-rule.entity';
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

export class AssignmentService {
  constructor(
    private readonly authorizer: Authorizer,
    private readonly writer: PolicyWriter,
    private readonly roles: RoleService,
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
   * Gives the user the role (again: a second assignment replaces the expiry). The caller
   * must hold everything the role grants. `expiresAt`, if given, must be in the future.
   */
  async assign(organizationId: string, callerId: string, input: { userId: string; roleId: string; expiresAt?: Date | null }) {
    await this.roles.get(organizationId, input.roleId, 'input.roleId');
    await this.roles.assertCallerHoldsRole(organizationId, callerId, input.roleId, 'input.roleId');
    return this.grant(organizationId, input);
  }

  /** Without the caller checks: for the organization's own bootstrap (its creator becomes owner, a new member a member). */
  async grant(organizationId: string, input: { userId: string; roleId: string; expiresAt?: Date | null }): Promise<AssignmentView> {
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt && expiresAt.getTime() <= this.authorizer.now()) {
      throw new BadUserInputError('input.expiresAt: must be in the future', 'input.expiresAt');
    }
    await this.writer.change(organizationId, async (manager) => {
      await manager.query(
        `INSERT INTO authz.casbin_rule (ptype, v0, v1, v2, v3) VALUES ('g', $1, $2, $3, $4)
         ON CONFLICT (v0, v1, v2) WHERE ptype = 'g' DO UPDATE SET v3 = EXCLUDED.v3`,
        [input.userId, input.roleId, organizationId, expiresAt?.toISOString() ?? null],
      );
    });
    return { organizationId, userId: input.userId, roleId: input.roleId, expiresAt, active: true };
  }

  /** Takes the role away; the organization's last owner keeps theirs. */
  async revoke(organizationId: string, callerId: string, input: { userId: string; roleId: string }): Promise<AssignmentView> {
    await this.roles.assertCallerHoldsRole(organizationId, callerId, input.roleId, 'input.roleId');
    const [existing] = (await this.listForUser(organizationId, input.userId)).filter((assignment) => assignment.roleId === input.roleId);
    if (!existing) throw new NotFoundError('RoleAssignment', `${input.userId} ${input.roleId}`, 'input.roleId');
    await this.writer.change(organizationId, async (manager) => {
      if (input.roleId === OWNER_ROLE_ID) {
        const [{ owners }] = await manager.query(
          `SELECT count(*)::int AS owners FROM authz.casbin_rule
            WHERE ptype = 'g' AND v1 = $1 AND v2 = $2 AND v0 <> $3 AND (v3 IS NULL OR v3::timestamptz > now())`,
          [OWNER_ROLE_ID, organizationId, input.userId],
        );
        if (owners === 0) throw new ConflictError('input.roleId: this is the last owner of the organization', 'input.roleId');
      }
      await manager.delete(CasbinRule, { ptype: 'g', v0: input.userId, v1: input.roleId, v2: organizationId });
    });
    return { ...existing, active: false };
  }

  /** Every role of the user in the organization, when they leave it. The last owner cannot leave. */
  async revokeAll(organizationId: string, userId: string): Promise<void> {
    await this.writer.change(organizationId, async (manager) => {
      const [{ owner, otherOwners }] = await manager.query(
        `SELECT count(*) FILTER (WHERE v0 = $3)::int AS owner, count(*) FILTER (WHERE v0 <> $3)::int AS "otherOwners"
           FROM authz.casbin_rule
          WHERE ptype = 'g' AND v1 = $1 AND v2 = $2 AND (v3 IS NULL OR v3::timestamptz > now())`,
        [OWNER_ROLE_ID, organizationId, userId],
      );
      if (owner > 0 && otherOwners === 0) {
        throw new ConflictError('id: this member is the last owner of the organization; make someone else owner first', 'id');
      }
      await manager.delete(CasbinRule, { ptype: 'g', v0: userId, v2: organizationId });
    });
  }
}
