import type { DataSource } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, NotFoundError } from '../../../platform/errors';
import { isId } from '../../../platform/ids';
import { MAX_PAGE_SIZE } from '../../../platform/limits/page-size';
import { EVENT_COLUMNS, fromRow } from './audit-event';
import type { AuditEvent, EventRow } from './audit-event';
import { filterSql } from './audit-filter';
import type { AuditFilter } from './audit-filter';

export interface AuditLogPage {
  events: AuditEvent[];
  /** Pass as `after` for the next page; null on the last. */
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface Count {
  key: string;
  count: number;
}

export interface AuditStats {
  total: number;
  byAction: Count[];
  bySeverity: Count[];
  byOutcome: Count[];
  byActor: Count[];
  byDay: Count[];
  from: Date;
  to: Date;
}

/** Stats without a `from` cover this many days back. */
export const DEFAULT_STATS_DAYS = 30;
const TOP = 50;

/** A page's cursor: the last event's place in the chain, opaque to the client. */
function encodeCursor(sequence: number): string {
  return Buffer.from(`seq:${sequence}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^seq:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new BadUserInputError('after: not a cursor this field returned', 'after');
  return Number(match[1]);
}

/** Reads an organization's audit log: newest first, by its place in the chain (keyset pages, no OFFSET). */
export class AuditLogService {
  constructor(private readonly dataSource: DataSource) {}

  async page(
    principal: Principal,
    organizationId: string,
    filter: AuditFilter,
    first: number,
    after: string | null,
  ): Promise<AuditLogPage> {
    assertOwnOrganization(principal, organizationId);
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
      throw new BadUserInputError(`first: between 1 and ${MAX_PAGE_SIZE}`, 'first');
    }
    const { where, params } = filterSql(organizationId, filter);
    const before = after ? decodeCursor(after) : null;
    const keyset = before === null ? '' : ` AND sequence < $${params.length + 1}`;
    const rows = (await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM audit.events WHERE ${where}${keyset} ORDER BY sequence DESC LIMIT ${first + 1}`,
      before === null ? params : [...params, before],
    )) as EventRow[];
    const events = rows.slice(0, first).map(fromRow);
    const hasNextPage = rows.length > first;
    return { events, hasNextPage, endCursor: hasNextPage ? encodeCursor(events[events.length - 1]!.sequence) : null };
  }

  /** One event of the caller's organization, live or archived; another organization's is NOT_FOUND. */
  async get(principal: Principal, id: string): Promise<AuditEvent> {
    if (!isId('audit', id)) throw new NotFoundError('AuditLog', id, 'id');
    const rows = (await this.dataSource.query(
      `SELECT e.* FROM audit.event_ids i
         CROSS JOIN LATERAL (
           SELECT ${EVENT_COLUMNS} FROM audit.events WHERE organization_id = i.organization_id AND sequence = i.sequence
           UNION ALL SELECT ${EVENT_COLUMNS} FROM audit.archived_events WHERE organization_id = i.organization_id AND sequence = i.sequence) e
        WHERE i.id = $1 AND i.organization_id = $2`,
      [id, principal.organizationId],
    )) as EventRow[];
    if (!rows[0]) throw new NotFoundError('AuditLog', id, 'id');
    return fromRow(rows[0]);
  }

  async stats(principal: Principal, organizationId: string, filter: AuditFilter): Promise<AuditStats> {
    assertOwnOrganization(principal, organizationId);
    const to = filter.to ?? new Date();
    const from = filter.from ?? new Date(to.getTime() - DEFAULT_STATS_DAYS * 86_400_000);
    const { where, params } = filterSql(organizationId, { ...filter, from, to });
    const counts = async (expression: string, limit: number | null) =>
      (
        (await this.dataSource.query(
          `SELECT ${expression} AS key, count(*)::int AS count FROM audit.events WHERE ${where} GROUP BY 1 ORDER BY ${limit ? '2 DESC, 1' : '1'}${limit ? ` LIMIT ${limit}` : ''}`,
          params,
        )) as { key: string | null; count: number }[]
      ).map((row) => ({ key: row.key ?? '', count: row.count }));
    const [byAction, bySeverity, byOutcome, byActor, byDay] = await Promise.all([
      counts('action', TOP),
      counts('severity', null),
      counts('outcome', null),
      counts(`actor_type || ':' || COALESCE(actor_id, '')`, TOP),
      counts(`to_char(date_trunc('day', recorded_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`, null),
    ]);
    return { total: bySeverity.reduce((sum, c) => sum + c.count, 0), byAction, bySeverity, byOutcome, byActor, byDay, from, to };
  }
}
