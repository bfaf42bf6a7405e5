import type { PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError } from '../../../platform/errors';
import { SignedLinks } from '../../../platform/signed-links';
import { EVENT_COLUMNS, fromRow } from './audit-event';
import type { EventRow } from './audit-event';
import { filterSql } from './audit-filter';
import type { AuditFilter } from './audit-filter';
import type { IngestService } from './ingest.service';

export type ExportFormat = 'jsonl' | 'csv';

/** What a download link carries, signed: who asked, for what, until when. */
export interface ExportGrant {
  organizationId: string;
  userId: string;
  format: ExportFormat;
  filter: AuditFilter;
  expiresAt: Date;
}

export interface ExportLink {
  url: string;
  expiresAt: Date;
}

/** The path of the download route on audit's HTTP server (routes.ts). */
export const EXPORT_DOWNLOAD_PATH = '/api/v1/audit/exports/download';
/** JSON lines: rows read from the cursor at a time, so memory holds one batch whatever the export's size. */
export const EXPORT_FETCH_ROWS = 2_000;

/** An instant as `Date.prototype.toISOString` writes it (UTC, milliseconds). */
const iso = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The CSV's columns, as PostgreSQL writes them (the header is the aliases): null is an empty
 * field, targets are `type:id` separated by spaces, request, response, changes and metadata are
 * JSON (as PostgreSQL prints jsonb).
 */
const CSV_SELECT = `id, sequence, ${iso('recorded_at')} AS recorded_at, ${iso('occurred_at')} AS occurred_at, organization_id,
  actor_type, actor_id, actor_name, action, severity, outcome,
  (SELECT string_agg((t ->> 'type') || ':' || (t ->> 'id'), ' ' ORDER BY n) FROM jsonb_array_elements(targets) WITH ORDINALITY AS x(t, n)) AS targets,
  request_id, ip, user_agent, request, response, changes, metadata, source, previous_hash, hash`;

/**
 * A `$n` parameter of `filterSql` as an SQL literal, for COPY, which takes none. Values are the
 * filter's: text, dates and the enum lists it validated.
 */
function literal(client: PoolClient, value: unknown): string {
  if (value instanceof Date) return `${client.escapeLiteral(value.toISOString())}::timestamptz`;
  if (Array.isArray(value)) return `ARRAY[${value.map((item) => client.escapeLiteral(String(item))).join(', ')}]::text[]`;
  return client.escapeLiteral(String(value));
}

function inlineParameters(client: PoolClient, sql: string, params: unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => literal(client, params[Number(n) - 1]));
}

/**
 * Exports as JSON lines or CSV. `link` signs a grant (HMAC-SHA256 under a key derived from
 * SECRETS_KEY) that the download route checks. `stream` writes CSV as PostgreSQL makes it
 * (`COPY (SELECT …) TO STDOUT (FORMAT csv)`): bytes go from the database connection to the
 * receiver as they come, and the connection is read only as fast as the receiver takes them, so
 * no row becomes a JavaScript object. JSON lines are read through a server-side cursor
 * (`DECLARE … CURSOR`, `FETCH` in batches) inside one read-only transaction. Either way the
 * export is one consistent snapshot, and memory holds a chunk or a batch whatever the size.
 */
export class ExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ingest: IngestService,
    private readonly options: { key: Buffer; baseUrl: string; linkTtlSeconds: number },
  ) {
    this.links = new SignedLinks(options.key);
  }

  private readonly links: SignedLinks<{ o: string; u: string; f: ExportFormat; q: AuditFilter }>;

  link(principal: Principal, organizationId: string, filter: AuditFilter, given: ExportFormat, now = new Date()): ExportLink {
    assertOwnOrganization(principal, organizationId);
    const format = given.toLowerCase() as ExportFormat;
    if (format !== 'csv' && format !== 'jsonl') throw new BadUserInputError('format: JSONL or CSV', 'format');
    filterSql(organizationId, filter); // BAD_USER_INPUT now rather than at download
    const expiresAt = new Date(now.getTime() + this.options.linkTtlSeconds * 1000);
    const token = this.links.sign({ o: organizationId, u: principal.userId, f: format, q: filter }, expiresAt);
    return { url: `${this.options.baseUrl}${EXPORT_DOWNLOAD_PATH}?token=${token}`, expiresAt };
  }

  /** The grant of a token this service signed and that has not expired; FORBIDDEN otherwise. */
  open(token: string, now = new Date()): ExportGrant {
    const { claims: grant, expiresAt } = this.links.open(token, now);
    const filter = { ...grant.q, from: grant.q.from ? new Date(grant.q.from) : null, to: grant.q.to ? new Date(grant.q.to) : null };
    return { organizationId: grant.o, userId: grant.u, format: grant.f, filter, expiresAt };
  }

  /**
   * Writes the grant's events, oldest first, through `write` (which resolves when the
   * receiver has taken the chunk: back-pressure); stops early when `signal` aborts.
   * Returns how many rows were written, and records the export in the audit log.
   */
  async stream(grant: ExportGrant, write: (chunk: string | Buffer) => Promise<void>, signal?: AbortSignal): Promise<number> {
    const rows = grant.format === 'csv' ? await this.csv(grant, write, signal) : await this.jsonLines(grant, write, signal);
    await this.ingest.record([
      {
        organizationId: grant.organizationId,
        actor: { type: 'user', id: grant.userId, displayName: null },
        action: 'audit.logs.exported',
        severity: 'info',
        outcome: signal?.aborted ? 'failed' : 'success',
        targets: [{ type: 'organization', id: grant.organizationId }],
        metadata: { rows, format: grant.format, filter: { ...grant.filter } },
        source: 'audit',
        occurredAt: new Date(),
      },
    ]);
    return rows;
  }

  private async csv(grant: ExportGrant, write: (chunk: Buffer) => Promise<void>, signal?: AbortSignal): Promise<number> {
    const { where, params } = filterSql(grant.organizationId, grant.filter);
    const runner = this.dataSource.createQueryRunner('slave');
    const client = (await runner.connect()) as PoolClient;
    // Stopping early cancels the statement; a backend blocked sending to us takes the cancel
    // only once it can send again, so what is left is read and dropped until the error arrives
    // (the connection goes back to the pool usable).
    const backend = (client as PoolClient & { processID: number }).processID;
    let cancelling: Promise<unknown> | null = null;
    const cancel = () => {
      cancelling ??= this.dataSource.query('SELECT pg_cancel_backend($1)', [backend]).catch(() => undefined);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    let failure: unknown = null;
    try {
      const copy = client.query(
        copyTo(
          `COPY (SELECT ${CSV_SELECT} FROM audit.events WHERE ${inlineParameters(client, where, params)} ORDER BY sequence) TO STDOUT (FORMAT csv, HEADER)`,
        ),
      );
      try {
        for await (const chunk of copy as AsyncIterable<Buffer>) {
          if (failure !== null || signal?.aborted) continue;
          await write(chunk).catch((error: unknown) => {
            failure = error;
            cancel();
          });
        }
      } catch (error) {
        if (failure === null && !signal?.aborted) throw error;
      }
      if (failure !== null) throw failure;
      // COPY's row count arrives with its CommandComplete; a query queued behind it waits for that.
      await client.query('SELECT 1');
      return copy.rowCount;
    } finally {
      signal?.removeEventListener('abort', cancel);
      // Not back to the pool before a cancel aimed at this connection has landed.
      await cancelling;
      await runner.release();
    }
  }

  private async jsonLines(grant: ExportGrant, write: (chunk: string) => Promise<void>, signal?: AbortSignal): Promise<number> {
    const { where, params } = filterSql(grant.organizationId, grant.filter);
    const runner = this.dataSource.createQueryRunner('slave');
    await runner.connect();
    let rows = 0;
    try {
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await runner.query(
        `DECLARE audit_export NO SCROLL CURSOR FOR SELECT ${EVENT_COLUMNS} FROM audit.events WHERE ${where} ORDER BY sequence`,
        params,
      );
      while (!signal?.aborted) {
        const batch = ((await runner.query(`FETCH ${EXPORT_FETCH_ROWS} FROM audit_export`)) as EventRow[]).map(fromRow);
        if (batch.length === 0) break;
        await write(
          batch
            .map(
              (event) =>
                `${JSON.stringify({ ...event, recordedAt: event.recordedAt.toISOString(), occurredAt: event.occurredAt.toISOString() })}\n`,
            )
            .join(''),
        );
        rows += batch.length;
      }
      await runner.query('COMMIT');
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
    return rows;
  }
}
