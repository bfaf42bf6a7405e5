import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { decodeEvent, encodeEvent } from '../event-json';
import type { Logger } from '../logger';
import type { AnyEvent, EventType } from './event-catalogue';
import type { ConsumerSubscription, EventTransport } from './transport';

export interface RedisStreamOptions {
  /** Keys are `<prefix>:<event type>` (one stream per type) and `<prefix>:applied` (receipts). */
  prefix: string;
  /** Entries older than this are trimmed as new ones are added (XADD … MINID ~). */
  retentionMs: number;
  /** A delivered entry not acknowledged for this long (its consumer crashed) is claimed by another. */
  claimIdleMs?: number;
  /** How long one blocking read waits before it looks again (and claims stale entries). */
  blockMs?: number;
}

const PUBLISH_TIMEOUT_MS = 10_000;
/** Entries one read takes from each stream; a consumer applying batches takes more, for fewer transactions. */
const READ_COUNT = 100;
const BATCH_READ_COUNT = 500;

type StreamEntry = [id: string, fields: string[] | null];
type DeliveredEntry = { stream: string; id: string; fields: string[] | null };
type StreamReply = [stream: string, entries: StreamEntry[]][] | null;

/**
 * Redis Streams, one per event type. Consumers read in consumer groups (XREADGROUP): each
 * entry goes to one process of the group, which acknowledges it (XACK) once applied. An
 * entry a crashed process had read stays pending and is claimed by another after
 * `claimIdleMs` (XAUTOCLAIM); a failed one is retried the same way.
 */
export class RedisStreamTransport implements EventTransport {
  readonly kind = 'redis' as const;
  private readonly commands: Redis;
  private readonly blocking: Redis[] = [];
  private subscriber: Redis | undefined;
  private readonly loops: Promise<void>[] = [];
  private readonly receipts = new EventEmitter();
  private readonly consumerName = `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly claimIdleMs: number;
  private readonly blockMs: number;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly options: RedisStreamOptions,
    private readonly logger: Logger,
  ) {
    this.claimIdleMs = options.claimIdleMs ?? 30_000;
    this.blockMs = options.blockMs ?? 5_000;
    this.commands = this.connect('commands');
  }

  streamOf(type: EventType): string {
    return `${this.options.prefix}:${type}`;
  }

  async publish(events: readonly AnyEvent[]): Promise<void> {
    if (events.length === 0) return;
    const minId = String(Date.now() - this.options.retentionMs);
    const pipeline = this.commands.pipeline();
    for (const event of events) pipeline.call('XADD', this.streamOf(event.type), 'MINID', '~', minId, '*', 'event', encodeEvent(event));
    // While Redis is away the relay gives up (its rows stay unsent) rather than hold its transaction open.
    const cancel = new AbortController();
    const timeout = sleep(PUBLISH_TIMEOUT_MS, 'timeout' as const, { signal: cancel.signal }).catch(() => 'cancelled' as const);
    const results = await Promise.race([pipeline.exec(), timeout]).finally(() => cancel.abort());
    if (results === 'timeout' || results === 'cancelled') throw new Error(`Redis did not take the events within ${PUBLISH_TIMEOUT_MS} ms`);
    for (const [error] of results ?? []) if (error) throw error;
  }

  async consume(subscription: ConsumerSubscription): Promise<void> {
    const streams = subscription.types.map((type) => this.streamOf(type));
    if (streams.length === 0) return;
    for (const stream of streams) {
      // From the stream's start: what was published before the group existed is delivered too.
      await this.commands.call('XGROUP', 'CREATE', stream, subscription.group, '0', 'MKSTREAM').catch((error: Error) => {
        if (!error.message.includes('BUSYGROUP')) throw error;
      });
    }
    this.loops.push(this.consumeLoop(subscription, streams, this.blockingConnection('consumer')));
  }

  async follow(types: readonly EventType[], since: Date, handler: (event: AnyEvent) => void): Promise<void> {
    const streams = types.map((type) => this.streamOf(type));
    const positions = new Map<string, string>();
    for (const stream of streams) {
      let start = `${since.getTime()}-0`;
      positions.set(stream, start);
      for (;;) {
        const entries = (await this.commands.call('XRANGE', stream, start, '+', 'COUNT', '1000')) as StreamEntry[];
        for (const [id, fields] of entries) {
          this.handOver(fields, handler);
          positions.set(stream, id);
        }
        if (entries.length < 1000) break;
        start = `(${entries.at(-1)![0]}`;
      }
    }
    this.loops.push(this.followLoop(streams, positions, handler, this.blockingConnection('follower')));
  }

  async announceApplied(group: string, eventId: string): Promise<void> {
    await this.commands.publish(`${this.options.prefix}:applied`, `${group} ${eventId}`);
  }

  async onApplied(listener: (group: string, eventId: string) => void): Promise<void> {
    this.receipts.on('applied', listener);
    if (this.subscriber) return;
    this.subscriber = this.connect('receipts');
    this.subscriber.on('message', (_channel: string, message: string) => {
      const [group, eventId] = message.split(' ');
      if (group && eventId) this.receipts.emit('applied', group, eventId);
    });
    await this.subscriber.subscribe(`${this.options.prefix}:applied`);
  }

  async close(): Promise<void> {
    this.closed = true;
    // A blocked read only ends when its connection does.
    for (const connection of this.blocking) connection.disconnect();
    await Promise.all(this.loops);
    this.receipts.removeAllListeners();
    this.subscriber?.disconnect();
    await this.commands.quit().catch(() => this.commands.disconnect());
  }

  private async consumeLoop(subscription: ConsumerSubscription, streams: string[], connection: Redis): Promise<void> {
    let claimDue = 0;
    while (!this.closed) {
      try {
        if (Date.now() >= claimDue) {
          claimDue = Date.now() + this.claimIdleMs;
          for (const stream of streams) await this.claimStale(subscription, stream);
        }
        const reply = (await connection.call(
          'XREADGROUP',
          'GROUP',
          subscription.group,
          this.consumerName,
          'COUNT',
          String(subscription.handleBatch ? BATCH_READ_COUNT : READ_COUNT),
          'BLOCK',
          String(Math.min(this.blockMs, this.claimIdleMs)),
          'STREAMS',
          ...streams,
          ...streams.map(() => '>'),
        )) as StreamReply;
        const delivered = (reply ?? []).flatMap(([stream, entries]) => entries.map(([id, fields]) => ({ stream, id, fields })));
        if (delivered.length > 0) await this.deliverAll(subscription, delivered);
      } catch (error) {
        if (this.closed) return;
        this.logger.warn({ err: error, group: subscription.group }, 'event consumer: read failed, retrying');
        await sleep(1_000);
      }
    }
  }

  /** Entries delivered to a consumer that has not acknowledged them for `claimIdleMs`: it crashed, or applying failed. */
  private async claimStale(subscription: ConsumerSubscription, stream: string): Promise<void> {
    let cursor = '0-0';
    do {
      const [next, entries] = (await this.commands.call(
        'XAUTOCLAIM',
        stream,
        subscription.group,
        this.consumerName,
        String(this.claimIdleMs),
        cursor,
        'COUNT',
        '100',
      )) as [string, StreamEntry[]];
      if (entries.length > 0)
        await this.deliverAll(
          subscription,
          entries.map(([id, fields]) => ({ stream, id, fields })),
        );
      cursor = next;
    } while (cursor !== '0-0' && !this.closed);
  }

  /** One read's entries: to `handleBatch` together where the subscription has it, else one by one; acknowledged once applied. */
  private async deliverAll(subscription: ConsumerSubscription, entries: DeliveredEntry[]): Promise<void> {
    if (!subscription.handleBatch) {
      for (const { stream, id, fields } of entries) await this.deliver(subscription, stream, id, fields);
      return;
    }
    const done: DeliveredEntry[] = [];
    const readable: { entry: DeliveredEntry; event: AnyEvent }[] = [];
    for (const entry of entries) {
      try {
        readable.push({ entry, event: decodeEntry(entry.fields) });
      } catch (error) {
        this.logger.error(
          { err: error, stream: entry.stream, id: entry.id, group: subscription.group },
          'event consumer: unreadable entry acknowledged',
        );
        done.push(entry);
      }
    }
    if (readable.length > 0) {
      let applied: boolean[];
      try {
        applied = await subscription.handleBatch(readable.map(({ event }) => event));
      } catch (error) {
        this.logger.warn({ err: error, group: subscription.group }, 'event consumer: batch not applied; it will be delivered again');
        applied = [];
      }
      readable.forEach(({ entry }, index) => {
        if (applied[index]) done.push(entry);
        else
          this.logger.warn(
            { stream: entry.stream, id: entry.id, group: subscription.group },
            'event consumer: not applied; it will be delivered again',
          );
      });
    }
    const byStream = new Map<string, string[]>();
    for (const { stream, id } of done) byStream.set(stream, [...(byStream.get(stream) ?? []), id]);
    for (const [stream, ids] of byStream) await this.commands.call('XACK', stream, subscription.group, ...ids);
  }

  private async deliver(subscription: ConsumerSubscription, stream: string, id: string, fields: string[] | null): Promise<void> {
    let event: AnyEvent | undefined;
    try {
      event = decodeEntry(fields);
    } catch (error) {
      // Nothing will ever apply it: say so loudly and let it go, rather than retry it forever.
      this.logger.error({ err: error, stream, id, group: subscription.group }, 'event consumer: unreadable entry acknowledged');
    }
    if (event) {
      try {
        await subscription.handle(event);
      } catch (error) {
        this.logger.warn({ err: error, stream, id, group: subscription.group }, 'event consumer: not applied; it will be delivered again');
        return;
      }
    }
    await this.commands.call('XACK', stream, subscription.group, id);
  }

  private async followLoop(streams: string[], positions: Map<string, string>, handler: (event: AnyEvent) => void, connection: Redis) {
    while (!this.closed) {
      try {
        const reply = (await connection.call(
          'XREAD',
          'COUNT',
          '1000',
          'BLOCK',
          String(this.blockMs),
          'STREAMS',
          ...streams,
          ...streams.map((stream) => positions.get(stream)!),
        )) as StreamReply;
        for (const [stream, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            this.handOver(fields, handler);
            positions.set(stream, id);
          }
        }
      } catch (error) {
        if (this.closed) return;
        this.logger.warn({ err: error }, 'event follower: read failed, retrying');
        await sleep(1_000);
      }
    }
  }

  private handOver(fields: string[] | null, handler: (event: AnyEvent) => void): void {
    try {
      handler(decodeEntry(fields));
    } catch (error) {
      this.logger.error({ err: error }, 'event follower: entry skipped');
    }
  }

  private blockingConnection(role: string): Redis {
    const connection = this.connect(role);
    this.blocking.push(connection);
    return connection;
  }

  private connect(role: string): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: null, retryStrategy: (attempt) => Math.min(attempt * 200, 2_000) });
    client.on('error', (error) => this.logger.warn({ err: error, role }, 'event streams: Redis error'));
    return client;
  }
}

function decodeEntry(fields: string[] | null): AnyEvent {
  const index = fields?.indexOf('event') ?? -1;
  if (!fields || index < 0 || index % 2 !== 0) throw new Error('stream entry has no "event" field');
  return decodeEvent<AnyEvent>(fields[index + 1]!);
}
