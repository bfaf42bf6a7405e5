import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One attempt to deliver a batch of events to a sink: the delivery log. */
@Entity({ name: 'deliveries' })
@Index('deliveries_sink_idx', ['sinkId', 'id'])
export class SiemDelivery {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'sink_id', type: 'varchar', length: 64 })
  sinkId: string;

  @Column({ name: 'first_sequence', type: 'bigint' })
  firstSequence: string;

  @Column({ name: 'last_sequence', type: 'bigint' })
  lastSequence: string;

  @Column({ type: 'int' })
  events: number;

  @Column({ type: 'int' })
  attempt: number;

  @Column({ type: 'boolean' })
  delivered: boolean;

  @Column({ name: 'status_code', type: 'int', nullable: true })
  statusCode: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'duration_ms', type: 'int' })
  durationMs: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
