import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { fromJsonTree } from '../event-json';
import type { Logger } from '../logger';
import type { AnyEvent, EventType } from './event-catalogue';
import { connectionOf, outboxChannel } from './outbox';
import type { EventTransport } from './transport';

/** Tests only: stop the relay for good at one point of its work on an event of `type`, as if the process hung there. */
export interface RelayTestPause {
  stage: 'before-publish' | 'after-publish';
  type: string;
}

export interface RelayOptions {
  /** How often the outbox is read when no commit woke the relay (a missed notification, another writer's crash). */
  pollMs?: number;
  batchSize?: number;
  /** Sent rows are deleted after this long. */
  retentionMs: number;
  testPause?: RelayTestPause;
}

interface OutboxRow {
  sequence: string;
  id: string;
  type: EventType;
  payload: unknown;
  occurred_at: Date;
}

const PRUNE_EVERY_MS = 60 * 60_000;

/**
 * Publishes one subgraph's outbox. Each pass claims the oldest unsent rows with
 * `FOR UPDATE SKIP LOCKED` (so replicas of the subgraph share the work and never publish
 * a row at the same time), publishes them, and marks them sent in the same transaction.
 * A crash before the mark leaves them unsent: they are published again, and consumers
 * skip what they have applied. A commit that wrote to the outbox wakes the relay of every
 * replica (Postgres LISTEN/NOTIFY); it also reads the outbox every `pollMs`.
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private running: Promise<void> | undefined;
  private stopped = true;
  private woken = false;
  private napping: { end: () => void; wakeable: boolean } | undefined;
  private listener: Client | undefined;
  private lastPrune = 0;

  constructor(
    readonly source: string,
    private readonly dataSource: DataSource,
    private readonly transport: EventTransport,
    private readonly logger: Logger,
    private readonly options: RelayOptions,
  ) {
    this.table = `"${this.schema}"."outbox"`;
    this.pollMs = options.pollMs ?? 2_000;
    this.batchSize = options.batchSize ?? 100;
  }

  private get schema(): string {
    return connectionOf(this.dataSource).schema;
  }

  /** Listens for commits and starts publishing (what is waiting first), until `stop`. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.listen();
    this.woken = true; // the first pass publishes what is waiting without a nap
    this.running = this.loop();
  }

  wake(): void {
    this.woken = true;
    if (this.napping?.wakeable) this.napping.end();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.napping?.end();
    await this.running;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Publishes every unsent row, batch by batch; answers how many. */
  async publishPending(): Promise<number> {
    let total = 0;
    for (;;) {
      const published = await this.publishBatch();
      total += published;
      if (published < this.batchSize) return total;
    }
  }

  /** Published events of `types` since `since`, oldest first (what one process replays at start without Redis). */
  readonly history = async (types: readonly EventType[], since: Date): Promise<AnyEvent[]> => {
    const rows: OutboxRow[] = await this.dataSource.query(
      `SELECT sequence, id, type, payload, occurred_at FROM ${this.table}
        WHERE type = ANY($1) AND published_at >= $2 ORDER BY sequence`,
      [types, since],
    );
    return rows.map((row) => this.envelope(row));
  };

  private async publishBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT sequence, id, type, payload, occurred_at FROM ${this.table}
          WHERE published_at IS NULL ORDER BY sequence LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      const events = rows.map((row) => this.envelope(row));
      await this.pauseForTest('before-publish', events);
      await this.transport.publish(events);
      await this.pauseForTest('after-publish', events);
      await manager.query(`UPDATE ${this.table} SET published_at = now() WHERE sequence = ANY($1::bigint[])`, [
        rows.map((row) => row.sequence),
      ]);
      return rows.length;
    });
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      await this.nap(failures === 0 ? this.pollMs : Math.min(this.pollMs * 2 ** failures, 30_000), failures === 0);
      if (this.stopped) return;
      try {
        await this.publishPending();
        failures = 0;
        if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) await this.prune();
      } catch (error) {
        failures += 1;
        this.logger.warn({ err: error, source: this.source, failures }, 'outbox relay: publishing failed; the events stay in the outbox');
      }
    }
  }

  /** Waits `ms`, or less when a commit wakes it (not while backing off after failures). */
  private async nap(ms: number, wakeable: boolean): Promise<void> {
    if (wakeable && this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.napping = undefined;
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.napping = { end, wakeable };
    });
    this.woken = false;
  }

  private async prune(): Promise<void> {
    this.lastPrune = Date.now();
    await this.dataSource.query(`DELETE FROM ${this.table} WHERE published_at < now() - make_interval(secs => $1)`, [
      this.options.retentionMs / 1000,
    ]);
  }

  private async listen(): Promise<void> {
    const { url } = connectionOf(this.dataSource);
    if (!url || this.stopped) return;
    const client = new Client({ connectionString: url, application_name: `auralink-${this.source}-relay` });
    client.on('notification', () => this.wake());
    client.on('error', (error) => {
      this.logger.warn({ err: error, source: this.source }, 'outbox relay: lost its notification connection; reconnecting');
      if (this.listener === client) this.listener = undefined;
      void client.end().catch(() => undefined);
      void sleep(1_000).then(() => this.listen());
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${outboxChannel(this.schema)}"`);
      this.listener = client;
    } catch (error) {
      // Polling carries on meanwhile.
      this.logger.warn({ err: error, source: this.source }, 'outbox relay: could not listen for commits; retrying');
      await client.end().catch(() => undefined);
      if (!this.stopped) void sleep(5_000).then(() => this.listen());
    }
  }

  private envelope(row: OutboxRow): AnyEvent {
    return {
      id: row.id,
      type: row.type,
      source: this.source,
      sequence: Number(row.sequence),
      occurredAt: row.occurred_at,
      payload: fromJsonTree(row.payload),
    } as AnyEvent;
  }

  private async pauseForTest(stage: RelayTestPause['stage'], events: AnyEvent[]): Promise<void> {
    const pause = this.options.testPause;
    if (!pause || pause.stage !== stage || !events.some((event) => event.type === pause.type)) return;
    this.logger.warn({ stage, events: events.map((event) => event.id) }, 'outbox relay paused (test hook)');
    await new Promise<never>(() => undefined);
  }
}
