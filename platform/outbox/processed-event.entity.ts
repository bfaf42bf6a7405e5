import { CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A consumer's inbox: the events it has applied, written in the same transaction as the
 * effect. An event delivered again (a relay or consumer crashed before acknowledging it)
 * finds its row and changes nothing.
 */
@Entity({ name: 'processed_events' })
@Index('processed_events_processed_at_idx', ['processedAt'])
export class ProcessedEvent {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  consumer: string;

  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 64 })
  eventId: string;

  @CreateDateColumn({ name: 'processed_at', type: 'timestamptz' })
  processedAt: Date;
}
