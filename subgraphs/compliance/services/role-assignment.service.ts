import type { DataSource, EntityManager } from 'typeorm';
import { ADMIN_ROLE_ID, OWNER_ROLE_ID } from '../../../platform/authorization/system-roles';
import type { AnyEvent } from '../../../platform/outbox/event-catalogue';
import { AccessReviewEntry } from '../entities/access-review.entity';
import { ComplianceMembership } from '../entities/membership.entity';
import { ComplianceRoleAssignment } from '../entities/role-assignment.entity';
import { RoleChange } from '../entities/role-change.entity';

/** The roles whose holders a report counts as privileged. */
export const PRIVILEGED_ROLE_IDS = [OWNER_ROLE_ID, ADMIN_ROLE_ID] as const;

/** One role a member holds now, as compliance knows it. */
export interface HeldRole {
  userId: string;
  roleId: string;
  expiresAt: Date | null;
}

/**
 * Who holds which role in which organization, as compliance knows it from authz's assignment
 * facts (it never reads authz's tables), and the role changes it was told of since.
 */
export class RoleAssignmentService {
  constructor(private readonly dataSource: DataSource) {}

  /** Applies one of authz's assignment facts, unless a later one about the same assignment already has. */
  async apply(event: AnyEvent, manager: EntityManager): Promise<void> {
    if (event.type !== 'authz.role.assigned' && event.type !== 'authz.role.unassigned') return;
    const { organizationId, userId, roleId } = event.payload;
    const assigned = event.type === 'authz.role.assigned';
    const expiresAt = event.type === 'authz.role.assigned' ? event.payload.expiresAt : null;
    await manager.query(
      `INSERT INTO ${manager.connection.getMetadata(ComplianceRoleAssignment).tablePath} AS existing
              (organization_id, user_id, role_id, active, expires_at, source_sequence)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (organization_id, user_id, role_id) DO UPDATE
          SET active = EXCLUDED.active, expires_at = EXCLUDED.expires_at, source_sequence = EXCLUDED.source_sequence, updated_at = now()
        WHERE existing.source_sequence < EXCLUDED.source_sequence`,
      [organizationId, userId, roleId, assigned, expiresAt, String(event.sequence)],
    );
    // Assignments stated for what existed before the facts are not changes.
    if (event.type === 'authz.role.assigned' && event.payload.reason === 'existing') return;
    await manager
      .createQueryBuilder()
      .insert()
      .into(RoleChange)
      .values({
        eventId: event.id,
        organizationId,
        userId,
        roleId,
        change: assigned ? 'assigned' : 'unassigned',
        reason: event.payload.reason,
        occurredAt: new Date(event.occurredAt),
      })
      .orIgnore()
      .execute();
    if (event.type === 'authz.role.unassigned' && event.payload.entryId) {
      await manager
        .createQueryBuilder()
        .update(AccessReviewEntry)
        .set({ revokedAt: new Date(event.occurredAt) })
        .where('id = :id AND organization_id = :organizationId AND revoked_at IS NULL', { id: event.payload.entryId, organizationId })
        .execute();
    }
  }

  /** Every role the organization's members (active or suspended) hold now, by member then role. */
  async heldIn(organizationId: string, manager: EntityManager = this.dataSource.manager): Promise<HeldRole[]> {
    const rows = (await manager.query(
      `SELECT r.user_id AS "userId", r.role_id AS "roleId", r.expires_at AS "expiresAt"
         FROM ${manager.connection.getMetadata(ComplianceRoleAssignment).tablePath} r
         JOIN ${manager.connection.getMetadata(ComplianceMembership).tablePath} m
           ON m.organization_id = r.organization_id AND m.user_id = r.user_id AND m.status <> 'removed'
        WHERE r.organization_id = $1 AND r.active AND (r.expires_at IS NULL OR r.expires_at > now())
        ORDER BY r.user_id, r.role_id`,
      [organizationId],
    )) as HeldRole[];
    return rows;
  }

  /** Active members holding the owner or admin role now. */
  async privilegedMembers(organizationId: string): Promise<number> {
    const [row] = (await this.dataSource.query(
      `SELECT count(DISTINCT r.user_id)::int AS count
         FROM compliance.role_assignments r
         JOIN compliance.memberships m ON m.organization_id = r.organization_id AND m.user_id = r.user_id AND m.status = 'active'
        WHERE r.organization_id = $1 AND r.active AND r.role_id = ANY($2) AND (r.expires_at IS NULL OR r.expires_at > now())`,
      [organizationId, [...PRIVILEGED_ROLE_IDS]],
    )) as { count: number }[];
    return row.count;
  }

  /** Roles given or taken since `since`, except those an access review's revoke request took. */
  async changesSince(organizationId: string, since: Date): Promise<number> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS count FROM compliance.role_changes
        WHERE organization_id = $1 AND occurred_at > $2 AND reason <> 'access_review'`,
      [organizationId, since],
    )) as { count: number }[];
    return row.count;
  }
}
