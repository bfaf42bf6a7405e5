import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An organization's SIEM webhook: its events are POSTed to `url` in chain order, signed with
 * the sink's secret; `deliveredSequence` is how far it has them. A failed delivery is retried
 * with exponential backoff (`nextAttemptAt`) from the same place, so order is kept.
 */
@Entity({ name: 'sinks' })
@Index('sinks_organization_idx', ['organizationId'])
export class SiemSink {
  /** `snk_…` */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  /** The signing secret, sealed under SECRETS_KEY. */
  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed: string;

  @Column({ name: 'delivered_sequence', type: 'bigint', default: 0 })
  deliveredSequence: string;

  /** Failed attempts since the last success. */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
