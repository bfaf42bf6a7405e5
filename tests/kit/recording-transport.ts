import type { AnyEvent } from '../../platform/outbox/event-catalogue';
import type { ConsumerSubscription, EventTransport } from '../../platform/outbox/transport';

/** A transport for specs of what publishes: it keeps what it was given, and fails on demand. */
export class RecordingTransport implements EventTransport {
  readonly kind = 'in-process' as const;
  readonly published: AnyEvent[] = [];
  failing = false;

  async publish(events: readonly AnyEvent[]): Promise<void> {
    if (this.failing) throw new Error('transport down');
    this.published.push(...events);
  }

  async consume(_subscription: ConsumerSubscription): Promise<void> {}
  async follow(): Promise<void> {}
  async announceApplied(): Promise<void> {}
  async onApplied(): Promise<void> {}
  async close(): Promise<void> {}
}
