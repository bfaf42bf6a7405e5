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
  /**
   * Several events in one transaction (what one read of a stream delivered): each new to this
   * consumer, in delivery order, in the transaction that records them all as processed. A
   * consumer that has it is handed whole deliveries (`applyBatchOnce`); one without it, one
   * event a transaction.
   */
  applyBatch?(events: readonly AnyEvent[], manager: EntityManager): Promise<void>;
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

/** What became of one event of a batch: applied now, applied before, or not applied (it is to be delivered again). */
export type BatchOutcome = { status: 'applied' | 'duplicate' } | { status: 'failed'; error: unknown };

/**
 * `applyOnce` for a delivery of several events: the inbox rows of all of them in one
 * statement (an event this consumer applied before, or twice in the delivery, is skipped),
 * the new ones applied together (`applyBatch`, or `apply` for each) in the same transaction,
 * `afterCommit` for each once it has committed. When that transaction fails, each event is
 * tried again in a transaction of its own, so one event that cannot be applied fails alone
 * and the others are applied. Outcomes are in the order of `events`.
 */
export async function applyBatchOnce(
  dataSource: DataSource,
  consumer: EventConsumer,
  events: readonly AnyEvent[],
): Promise<BatchOutcome[]> {
  if (events.length === 0) return [];
  if (events.length === 1) return [await settle(applyOnce(dataSource, consumer, events[0]!))];
  let fresh: Set<number>;
  try {
    fresh = await dataSource.transaction(async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(ProcessedEvent)
        .values(
          // In id order, so two processes given overlapping deliveries take the rows' locks in one order.
          [...new Set(events.map((event) => event.id))].sort().map((eventId) => ({ consumer: consumer.name, eventId })),
        )
        .orIgnore()
        .returning('event_id')
        .execute();
      const claimed = new Set((inserted.raw as { event_id: string }[]).map((row) => row.event_id));
      // The first copy of a new id is applied; another copy in the same delivery is a duplicate.
      const chosen = new Set<number>();
      events.forEach((event, index) => {
        if (claimed.delete(event.id)) chosen.add(index);
      });
      const toApply = [...chosen].map((index) => events[index]!);
      if (consumer.applyBatch) {
        if (toApply.length > 0) await consumer.applyBatch(toApply, manager);
      } else {
        for (const event of toApply) await consumer.apply(event, manager);
      }
      return chosen;
    });
  } catch {
    // One event may be the cause: each on its own, so the others are not held back by it.
    const outcomes: BatchOutcome[] = [];
    for (const event of events) outcomes.push(await settle(applyOnce(dataSource, consumer, event)));
    return outcomes;
  }
  const outcomes: BatchOutcome[] = [];
  for (const [index, event] of events.entries()) {
    if (!fresh.has(index)) outcomes.push({ status: 'duplicate' });
    else outcomes.push(await settle((consumer.afterCommit?.(event) ?? Promise.resolve()).then(() => 'applied' as const)));
  }
  return outcomes;
}

async function settle(outcome: Promise<'applied' | 'duplicate'>): Promise<BatchOutcome> {
  try {
    return { status: await outcome };
  } catch (error) {
    return { status: 'failed', error };
  }
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
