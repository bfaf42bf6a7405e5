import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An organization's audit settings; an organization without a row keeps events DEFAULT_RETENTION_DAYS. */
@Entity({ name: 'settings' })
export class AuditSettings {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  /** Days an event stays in the live table before `audit.archive-events` moves it to the archive. */
  @Column({ name: 'retention_days', type: 'int' })
  retentionDays: number;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
