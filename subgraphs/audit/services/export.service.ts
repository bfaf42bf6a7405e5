import { stringify } from 'csv-stringify/sync';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError } from '../../../platform/errors';
import { SignedLinks } from '../../../platform/signed-links';
import { EVENT_COLUMNS, fromRow } from './audit-event';
import type { AuditEvent, EventRow } from './audit-event';
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
/** Rows read from the cursor at a time: memory holds one batch, whatever the export's size. */
export const EXPORT_FETCH_ROWS = 2_000;

const CSV_COLUMNS = [
  'id',
  'sequence',
  'recorded_at',
  'occurred_at',
  'organization_id',
  'actor_type',
  'actor_id',
  'actor_name',
  'action',
  'severity',
  'outcome',
  'targets',
  'request_id',
  'ip',
  'user_agent',
  'request',
  'response',
  'changes',
  'metadata',
  'source',
  'previous_hash',
  'hash',
];

function csvRecord(event: AuditEvent): unknown[] {
  const json = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value));
  return [
    event.id,
    event.sequence,
    event.recordedAt.toISOString(),
    event.occurredAt.toISOString(),
    event.organizationId,
    event.actor.type,
    event.actor.id ?? '',
    event.actor.displayName ?? '',
    event.action,
    event.severity,
    event.outcome,
    event.targets.map((target) => `${target.type}:${target.id}`).join(' '),
    event.requestId ?? '',
    event.ip ?? '',
    event.userAgent ?? '',
    json(event.request),
    json(event.response),
    json(event.changes),
    json(event.metadata),
    event.source,
    event.previousHash,
    event.hash,
  ];
}

/**
 * Exports as JSON lines or CSV. `link` signs a grant (HMAC-SHA256 under a key derived from
 * SECRETS_KEY) that the download route checks; `stream` reads the events through a
 * server-side cursor (`DECLARE … CURSOR`, `FETCH` in batches) inside one read-only
 * transaction, so the export is one consistent snapshot and memory stays flat.
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
  async stream(grant: ExportGrant, write: (chunk: string) => Promise<void>, signal?: AbortSignal): Promise<number> {
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
      if (grant.format === 'csv') await write(stringify([CSV_COLUMNS]));
      while (!signal?.aborted) {
        const batch = ((await runner.query(`FETCH ${EXPORT_FETCH_ROWS} FROM audit_export`)) as EventRow[]).map(fromRow);
        if (batch.length === 0) break;
        const chunk =
          grant.format === 'csv'
            ? stringify(batch.map(csvRecord))
            : batch
                .map(
                  (event) =>
                    `${JSON.stringify({ ...event, recordedAt: event.recordedAt.toISOString(), occurredAt: event.occurredAt.toISOString() })}\n`,
                )
                .join('');
        await write(chunk);
        rows += batch.length;
      }
      await runner.query('COMMIT');
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
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
}
