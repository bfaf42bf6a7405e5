import type { DataSource, EntityManager } from 'typeorm';
import { toJsonTree } from '../event-json';
import { newId } from '../ids';
import type { NewEvent } from './event-catalogue';
import { OutboxMessage } from './outbox-message.entity';

/** Tells a writer when a consumer (in any process) has applied an event. */
export interface EventReceipts {
  /** Resolves true once `consumer` has applied the event, false after `timeoutMs` without it. */
  waitUntilApplied(eventId: string, consumer: string, timeoutMs?: number): Promise<boolean>;
}

/** The Postgres channel a schema's outbox writers notify on commit (NOTIFY is delivered only when the transaction commits). */
export function outboxChannel(schema: string): string {
  return `outbox_${schema}`;
}

/** The Postgres schema and URL a subgraph's DataSource was opened with (platform/database.ts sets both). */
export function connectionOf(dataSource: DataSource): { schema: string; url: string | undefined } {
  const options = dataSource.options as { schema?: string; url?: string };
  return { schema: options.schema ?? 'public', url: options.url };
}

/**
 * How a service states a fact for other subgraphs: `add` in the transaction of the change,
 * so the fact exists exactly when the change does. The relay of every process serving the
 * subgraph is woken by the commit (Postgres NOTIFY) and publishes it within milliseconds.
 */
export class Outbox {
  constructor(private readonly receipts?: EventReceipts) {}

  async add(manager: EntityManager, event: NewEvent): Promise<string> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`outbox: ${event.type} must be added in the transaction of the change it describes`);
    }
    const id = newId('event');
    const { schema } = connectionOf(manager.connection);
    const metadata = manager.connection.getMetadata(OutboxMessage);
    const { driver } = manager.connection;
    // The row and the notification in one round trip (a sign-in writes one fact and waits on each statement).
    await manager.query(
      `WITH added AS (INSERT INTO ${driver.escape(metadata.schema ?? schema)}.${driver.escape(metadata.tableName)} (id, type, payload)
         VALUES ($1, $2, $3::jsonb) RETURNING 1)
       SELECT pg_notify($4, '') FROM added`,
      [id, event.type, JSON.stringify(toJsonTree(event.payload)), outboxChannel(schema)],
    );
    return id;
  }

  /** Several facts of one change (a batch), in its transaction: one insert and one notification. */
  async addMany(manager: EntityManager, events: readonly NewEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`outbox: ${events[0].type} must be added in the transaction of the change it describes`);
    }
    const rows = events.map((event) => ({ id: newId('event'), type: event.type, payload: toJsonTree(event.payload) as object }));
    await manager.insert(OutboxMessage, rows);
    await manager.query('SELECT pg_notify($1, $2)', [outboxChannel(connectionOf(manager.connection).schema), '']);
    return rows.map((row) => row.id);
  }

  /**
   * After the commit: read-your-writes for the caller. Waits, at most `timeoutMs`, until
   * each of `consumers` has applied the event; false when one has not by then (it still
   * will) or when nothing in this process hears receipts (a command-line tool).
   */
  async appliedBy(consumers: readonly string[], eventId: string, timeoutMs?: number): Promise<boolean> {
    const receipts = this.receipts;
    if (!receipts) return false;
    const applied = await Promise.all(consumers.map((consumer) => receipts.waitUntilApplied(eventId, consumer, timeoutMs)));
    return applied.every(Boolean);
  }
}
