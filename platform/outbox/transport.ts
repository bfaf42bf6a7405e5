import type { AnyEvent, EventType } from './event-catalogue';

/** A consumer group's subscription: every event of `types` reaches one process of the group. */
export interface ConsumerSubscription {
  group: string;
  types: readonly EventType[];
  /** Resolves once the event is applied (or had been); a rejection leaves it to be delivered again. */
  handle(event: AnyEvent): Promise<void>;
  /**
   * Several events one read delivered, instead of `handle` for each: resolves with whether each
   * (in the order given) is applied (or had been); one that is not is delivered again.
   */
  handleBatch?(events: readonly AnyEvent[]): Promise<boolean[]>;
}

/** Published events of `types` since a moment, from where one process keeps them (its outbox tables). */
export type EventHistory = (types: readonly EventType[], since: Date) => Promise<AnyEvent[]>;

/** How published events travel: Redis Streams across processes, or within one process. */
export interface EventTransport {
  readonly kind: 'redis' | 'in-process';
  /** Resolves once every event is handed over for good (appended to its stream; in one process, applied by every consumer). */
  publish(events: readonly AnyEvent[]): Promise<void>;
  /** Starts delivering to a consumer group; events published before it first subscribed are delivered too. */
  consume(subscription: ConsumerSubscription): Promise<void>;
  /**
   * Every process, not one per group: the events of `types` published since `since`, then
   * each new one as it comes. Resolves once the history has been handed to `handler`.
   */
  follow(types: readonly EventType[], since: Date, handler: (event: AnyEvent) => void): Promise<void>;
  /** Tells every process that `group` has applied the event. */
  announceApplied(group: string, eventId: string): Promise<void>;
  /** Resolves once this process hears announcements. */
  onApplied(listener: (group: string, eventId: string) => void): Promise<void>;
  close(): Promise<void>;
}
