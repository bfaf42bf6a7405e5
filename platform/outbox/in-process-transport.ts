import { EventEmitter } from 'node:events';
import { decodeEvent, encodeEvent } from '../event-json';
import type { AnyEvent, EventType } from './event-catalogue';
import type { ConsumerSubscription, EventHistory, EventTransport } from './transport';

/**
 * Without REDIS_URL: one process serves every subgraph, and publishing hands each event
 * to every consumer and waits until each has applied it. A relay marks rows sent only
 * then, so a crash before that publishes them again on restart (consumers skip what they
 * have applied): the same at-least-once delivery as with Redis. Every handler gets its
 * own copy through JSON, as it would from Redis. A consumer taking batches gets the relay's
 * whole batch at once.
 */
export class InProcessTransport implements EventTransport {
  readonly kind = 'in-process' as const;
  private readonly consumers: ConsumerSubscription[] = [];
  private readonly followers: { types: ReadonlySet<EventType>; handler: (event: AnyEvent) => void }[] = [];
  private readonly histories: EventHistory[] = [];
  private readonly receipts = new EventEmitter();

  /** Where `follow` reads what was published before it started: the outbox tables of the relays in this process. */
  addHistory(history: EventHistory): void {
    this.histories.push(history);
  }

  async publish(events: readonly AnyEvent[]): Promise<void> {
    if (this.consumers.some((consumer) => consumer.handleBatch)) return this.publishBatches(events);
    for (const event of events) {
      for (const consumer of this.consumers) {
        if (consumer.types.includes(event.type)) await consumer.handle(copy(event));
      }
      this.toFollowers(event);
    }
  }

  /** Each consumer gets its share of `events` at once (a batch where it takes batches), then the followers. */
  private async publishBatches(events: readonly AnyEvent[]): Promise<void> {
    for (const consumer of this.consumers) {
      const share = events.filter((event) => consumer.types.includes(event.type)).map(copy);
      if (share.length === 0) continue;
      if (!consumer.handleBatch) {
        for (const event of share) await consumer.handle(event);
        continue;
      }
      const applied = await consumer.handleBatch(share);
      const missed = share.filter((_, index) => !applied[index]).length;
      // The relay publishes the rows again; what was applied is skipped then.
      if (missed > 0) throw new Error(`${consumer.group}: ${missed} of ${share.length} events not applied`);
    }
    for (const event of events) this.toFollowers(event);
  }

  private toFollowers(event: AnyEvent): void {
    for (const follower of this.followers) {
      if (follower.types.has(event.type)) follower.handler(copy(event));
    }
  }

  async consume(subscription: ConsumerSubscription): Promise<void> {
    this.consumers.push(subscription);
  }

  async follow(types: readonly EventType[], since: Date, handler: (event: AnyEvent) => void): Promise<void> {
    this.followers.push({ types: new Set(types), handler });
    for (const history of this.histories) {
      for (const event of await history(types, since)) handler(event);
    }
  }

  async announceApplied(group: string, eventId: string): Promise<void> {
    this.receipts.emit('applied', group, eventId);
  }

  async onApplied(listener: (group: string, eventId: string) => void): Promise<void> {
    this.receipts.on('applied', listener);
  }

  async close(): Promise<void> {
    this.consumers.length = 0;
    this.followers.length = 0;
    this.receipts.removeAllListeners();
  }
}

function copy(event: AnyEvent): AnyEvent {
  return decodeEvent<AnyEvent>(encodeEvent(event));
}
