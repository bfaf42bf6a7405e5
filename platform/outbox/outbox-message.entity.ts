import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A fact waiting to be published, in the schema of the subgraph that wrote it, written
 * in the same transaction as the change it describes. The relay publishes unsent rows in
 * `sequence` order and marks them sent; sent rows are kept for the retention period.
 */
@Entity({ name: 'outbox' })
@Index('outbox_unsent_idx', ['sequence'], { where: 'published_at IS NULL' })
@Index('outbox_published_at_idx', ['publishedAt'])
export class OutboxMessage {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  sequence: string;

  /** `evt_…`: what consumers remember to apply an event at most once. */
  @Index('outbox_id_key', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  type: string;

  /** As event-json.ts writes it: dates tagged. */
  @Column({ type: 'jsonb' })
  payload: unknown;

  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;
}
