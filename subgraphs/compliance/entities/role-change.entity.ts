import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One of authz's assignment facts, kept so a report can count the role changes since the last access review. */
@Entity({ name: 'role_changes' })
@Index('role_changes_organization_occurred_idx', ['organizationId', 'occurredAt'])
export class RoleChange {
  /** The fact's `evt_…` id. */
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 64 })
  eventId: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ name: 'role_id', type: 'varchar', length: 64 })
  roleId: string;

  @Column({ type: 'varchar', length: 16 })
  change: 'assigned' | 'unassigned';

  /** authz's reason: `assigned`, `member_added`, `revoked`, `access_review`, … */
  @Column({ type: 'varchar', length: 32 })
  reason: string;

  /** When authz committed it. */
  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;
}
