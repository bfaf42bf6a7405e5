import type { DataSource } from 'typeorm';
import { MembershipRevocations } from '../auth/membership-revocations';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { applyBatchOnce, applyOnce, pruneProcessedEvents } from './consumer';
import { LOCAL_REVOCATIONS } from './event-catalogue';
import type { EventConsumer } from './consumer';
import { InProcessTransport } from './in-process-transport';
import type { EventReceipts } from './outbox';
import { RedisStreamTransport } from './redis-stream-transport';
import type { RedisStreamOptions } from './redis-stream-transport';
import { OutboxRelay } from './relay';
import type { EventTransport } from './transport';

/** How long a writer waits for a consumer by default (read-your-writes); the event is applied later all the same. */
export const DEFAULT_RECEIPT_TIMEOUT_MS = 5_000;
/** Receipts heard this recently still answer a writer that starts waiting after the fact. */
const RECENT_RECEIPTS_MS = 60_000;
const PRUNE_INBOX_EVERY_MS = 60 * 60_000;

export interface MessagingOptions {
  /** Tests: how often relays read their outbox without a wake-up. */
  pollMs?: number;
  /** Tests: Redis consumer timings (see RedisStreamOptions). */
  redis?: Pick<RedisStreamOptions, 'claimIdleMs' | 'blockMs'>;
}

/**
 * One process's share of the facts that cross subgraphs: a relay for the outbox of every
 * subgraph it serves, its consumers of other subgraphs' events, the receipts writers wait
 * on, and the membership revocations every request is checked against. Register relays
 * and consumers, then `start`; `close` stops them (relays finish the batch in hand).
 */
export class Messaging implements EventReceipts {
  readonly revocations = new MembershipRevocations({ onApplied: (event) => this.heard(LOCAL_REVOCATIONS, event.id) });
  private readonly relays = new Map<string, OutboxRelay>();
  private readonly consumers = new Map<string, { consumer: EventConsumer; dataSource: DataSource }>();
  private readonly recentReceipts = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly pruneTimers: NodeJS.Timeout[] = [];
  private started = false;

  constructor(
    readonly transport: EventTransport,
    private readonly config: Config['events'],
    private readonly logger: Logger,
    private readonly options: MessagingOptions = {},
  ) {}

  /** A relay for `source`'s outbox (one per subgraph and process; registering again keeps the first). */
  registerRelay(source: string, dataSource: DataSource): void {
    if (this.relays.has(source)) return;
    const relay = new OutboxRelay(source, dataSource, this.transport, this.logger, {
      retentionMs: this.config.retentionMs,
      pollMs: this.options.pollMs,
      testPause: this.config.testPause,
    });
    this.relays.set(source, relay);
    if (this.transport instanceof InProcessTransport) this.transport.addHistory(relay.history);
    if (this.started) void relay.start();
  }

  /** A consumer applying events in `dataSource`'s schema (registering the same name again keeps the first). */
  registerConsumer(consumer: EventConsumer, dataSource: DataSource): void {
    if (this.consumers.has(consumer.name)) return;
    this.consumers.set(consumer.name, { consumer, dataSource });
    if (this.started) void this.subscribe(consumer, dataSource);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.transport.onApplied((group, eventId) => this.heard(group, eventId));
    await this.revocations.start(this.transport);
    for (const { consumer, dataSource } of this.consumers.values()) await this.subscribe(consumer, dataSource);
    for (const relay of this.relays.values()) await relay.start();
  }

  async close(): Promise<void> {
    for (const timer of this.pruneTimers) clearInterval(timer);
    await Promise.all([...this.relays.values()].map((relay) => relay.stop()));
    await this.transport.close();
    this.revocations.close();
  }

  waitUntilApplied(eventId: string, consumer: string, timeoutMs = DEFAULT_RECEIPT_TIMEOUT_MS): Promise<boolean> {
    const key = `${consumer} ${eventId}`;
    if (this.recentReceipts.has(key)) return Promise.resolve(true);
    return new Promise((resolve) => {
      let waiters = this.waiters.get(key);
      if (!waiters) this.waiters.set(key, (waiters = new Set()));
      const done = (applied: boolean) => {
        clearTimeout(timer);
        waiters.delete(onApplied);
        if (waiters.size === 0) this.waiters.delete(key);
        if (!applied) this.logger.warn({ eventId, consumer, timeoutMs }, 'not applied in time; answering without waiting further');
        resolve(applied);
      };
      const onApplied = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      waiters.add(onApplied);
    });
  }

  private async subscribe(consumer: EventConsumer, dataSource: DataSource): Promise<void> {
    await this.transport.consume({
      group: consumer.name,
      types: consumer.handles,
      handle: async (event) => {
        await applyOnce(dataSource, consumer, event);
        await this.announce(consumer.name, event.id);
      },
      // A consumer that applies batches gets each read of the stream in one transaction.
      handleBatch: consumer.applyBatch
        ? async (events) => {
            const outcomes = await applyBatchOnce(dataSource, consumer, events);
            const applied = outcomes.map((outcome, index) => {
              if (outcome.status !== 'failed') return true;
              this.logger.warn({ err: outcome.error, eventId: events[index]!.id, consumer: consumer.name }, 'event not applied');
              return false;
            });
            await Promise.all(events.filter((_, index) => applied[index]).map((event) => this.announce(consumer.name, event.id)));
            return applied;
          }
        : undefined,
    });
    const prune = () =>
      pruneProcessedEvents(dataSource, this.config.retentionMs).catch((error: unknown) =>
        this.logger.warn({ err: error, consumer: consumer.name }, 'could not prune processed events'),
      );
    this.pruneTimers.push(setInterval(() => void prune(), PRUNE_INBOX_EVERY_MS).unref());
  }

  private async announce(group: string, eventId: string): Promise<void> {
    await this.transport
      .announceApplied(group, eventId)
      .catch((error: unknown) => this.logger.warn({ err: error, eventId }, 'could not announce an applied event'));
  }

  private heard(group: string, eventId: string): void {
    const key = `${group} ${eventId}`;
    const now = Date.now();
    this.recentReceipts.delete(key);
    this.recentReceipts.set(key, now);
    for (const [old, at] of this.recentReceipts) {
      if (now - at < RECENT_RECEIPTS_MS) break;
      this.recentReceipts.delete(old);
    }
    for (const onApplied of [...(this.waiters.get(key) ?? [])]) onApplied();
  }
}

/** Redis Streams with REDIS_URL; without it, everything stays in this one process. */
export function createMessaging(config: Config, logger: Logger, options: MessagingOptions = {}): Messaging {
  const transport = config.redisUrl
    ? new RedisStreamTransport(
        config.redisUrl,
        { prefix: config.events.streamPrefix, retentionMs: config.events.retentionMs, ...options.redis },
        logger,
      )
    : new InProcessTransport();
  return new Messaging(transport, config.events, logger, options);
}
