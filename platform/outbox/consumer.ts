import type { DataSource, EntityManager } from 'typeorm';
import type { AnyEvent, EventType } from './event-catalogue';
import { ProcessedEvent } from './processed-event.entity';

/**
 * What a subgraph does with other subgraphs' events. `name` is its consumer group: every
 * event reaches one process of the group. Its schema needs the `processed_events` table.
 */
export interface EventConsumer {
  name: string;
  handles: readonly EventType[];
  /** Applies one event, in the transaction that also records it as processed. */
  apply(event: AnyEvent, manager: EntityManager): Promise<void>;
  /** Once that transaction has committed (tell other processes what changed). Not called for an event applied before. */
  afterCommit?(event: AnyEvent): Promise<void>;
}

/**
 * Applies the event unless this consumer already has: the inbox row and the effect commit
 * together, so an event delivered twice (or to two processes at once) takes effect once.
 */
export async function applyOnce(dataSource: DataSource, consumer: EventConsumer, event: AnyEvent): Promise<'applied' | 'duplicate'> {
  const applied = await dataSource.transaction(async (manager) => {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(ProcessedEvent)
      .values({ consumer: consumer.name, eventId: event.id })
      .orIgnore()
      .returning('event_id')
      .execute();
    if (inserted.raw.length === 0) return false;
    await consumer.apply(event, manager);
    return true;
  });
  if (applied) await consumer.afterCommit?.(event);
  return applied ? 'applied' : 'duplicate';
}

/** Forgets events applied longer ago than `retentionMs`: by then no stream or outbox can deliver them again. */
export async function pruneProcessedEvents(dataSource: DataSource, retentionMs: number): Promise<void> {
  await dataSource
    .createQueryBuilder()
    .delete()
    .from(ProcessedEvent)
    .where('processed_at < now() - make_interval(secs => :seconds)', { seconds: retentionMs / 1000 })
    .execute();
}
