import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export enum SecurityEventStatus {
  OPEN = 'open',
  ACKNOWLEDGED = 'acknowledged',
  RESOLVED = 'resolved',
}

/**
 * What a rule over the audit stream found (services/security-rules.ts): while one is not
 * resolved, further matches of the same rule and subject count into it instead of opening another.
 */
@Entity({ name: 'security_events' })
@Index('security_events_organization_idx', ['organizationId', 'createdAt'])
@Index('security_events_unresolved_key', ['organizationId', 'rule', 'subject'], { unique: true, where: `status <> 'resolved'` })
export class SecurityEvent {
  /** `sev_…` */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ type: 'varchar', length: 64 })
  rule: string;

  @Column({ type: 'varchar', length: 16 })
  severity: string;

  @Column({ type: 'varchar', length: 16, default: SecurityEventStatus.OPEN })
  status: SecurityEventStatus;

  /** What the rule counted by: `user:<id>`, `ip:<address>`, `api_key:<id>`, `export:<event id>`. */
  @Column({ type: 'varchar', length: 256 })
  subject: string;

  @Column({ type: 'text' })
  summary: string;

  @Column({ name: 'event_count', type: 'int' })
  eventCount: number;

  /** The audit events (ids) that made it, the first ones. */
  @Column({ name: 'audit_event_ids', type: 'jsonb' })
  auditEventIds: string[];

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt: Date;

  @Column({ name: 'status_changed_by', type: 'varchar', length: 64, nullable: true })
  statusChangedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
