import type { DataSource } from 'typeorm';
import type { DataSubject, DataSubjectContract, DataSubjectErasure, DataSubjectPage } from '../../../platform/personal-data/data-subject';
import { BadUserInputError } from '../../../platform/errors';
import type { PersonalDataCategory } from '../../../platform/personal-data/personal-data-directive';
import { EVENT_COLUMNS, fromRow, isAnonymisable, personalDigestOf } from './audit-event';
import type { EventRow } from './audit-event';

/** Characters of events' JSON in one page: a page of large events holds fewer than asked. */
const PAGE_JSON_LENGTH = 1024 * 1024;

/** What anonymising touches: an event's personal part is who acted and what they sent. */
const ERASED_BY: readonly PersonalDataCategory[] = ['identity', 'network', 'activity'];

/**
 * Audit's part of a data-subject request: the events the person is the actor of, live and
 * archived, with the address, user agent, request and changes they carry.
 *
 * Erasure keeps every event (the log is append-only and its chain must verify) and anonymises
 * the person's: the actor's id and name, address, user agent, request, response and changes go,
 * and the event keeps the salted digest of them that its hash covers, without the salt. Events
 * recorded before events were hashed that way cannot lose their personal part without
 * breaking the chain: they are kept as they are, and counted.
 */
export class AuditDataSubjectService implements DataSubjectContract {
  constructor(private readonly dataSource: DataSource) {}

  async export({ organizationId, userId }: DataSubject, after: string | null, first: number): Promise<DataSubjectPage> {
    const from = after === null ? 0 : Number(after);
    if (!Number.isSafeInteger(from) || from < 0) throw new BadUserInputError('after: not a cursor of this export', 'after');
    // One query a table: over the union PostgreSQL sorts every later event of the person's for each page,
    // while each table alone walks its (organization, actor, sequence) index from the cursor. The record's
    // fields come as JSON text built by PostgreSQL, passed on as they are.
    const read = (table: string) =>
      this.dataSource.query(
        `SELECT id, sequence, json_build_object(
                  'action', action, 'outcome', outcome,
                  'occurredAt', to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'actorName', actor_name, 'ip', ip, 'userAgent', user_agent,
                  'targets', targets, 'request', request, 'changes', changes)::text AS json
           FROM audit.${table} WHERE organization_id = $1 AND actor_id = $2 AND sequence > $3
          ORDER BY sequence LIMIT ${first + 1}`,
        [organizationId, userId, from],
      ) as Promise<{ id: string; sequence: string; json: string }[]>;
    const [archived, live] = await Promise.all([read('archived_events'), read('events')]);
    const rows = [...archived, ...live].sort((a, b) => Number(a.sequence) - Number(b.sequence)).slice(0, first + 1);
    // An event may carry 16 KB of request and changes: a page ends once it holds PAGE_JSON_LENGTH, well within the gateway's response limit.
    let count = Math.min(first, rows.length);
    let bytes = 0;
    for (let i = 0; i < count; i += 1) {
      bytes += rows[i]!.json.length;
      if (bytes >= PAGE_JSON_LENGTH) count = i + 1;
    }
    const page = rows.slice(0, count);
    return {
      records: page.map((row) => ({ kind: 'audit_event', id: row.id, json: row.json })),
      next: rows.length > count ? page[page.length - 1]!.sequence : null,
    };
  }

  async erase({ organizationId, userId }: DataSubject, categories: readonly PersonalDataCategory[]): Promise<DataSubjectErasure[]> {
    if (!categories.some((category) => ERASED_BY.includes(category))) return [];
    let anonymised = 0;
    let kept = 0;
    for (const table of ['events', 'archived_events'] as const) {
      await this.dataSource.transaction(async (manager) => {
        const rows = (await manager.query(
          `SELECT ${EVENT_COLUMNS} FROM audit.${table} WHERE organization_id = $1 AND actor_id = $2 ORDER BY sequence FOR UPDATE`,
          [organizationId, userId],
        )) as EventRow[];
        const events = rows.map(fromRow);
        const open = events.filter(isAnonymisable);
        kept += events.length - open.length;
        if (open.length === 0) return;
        await manager.query(
          `UPDATE audit.${table} e SET personal_digest = d.digest, personal_salt = NULL, actor_id = NULL, actor_name = NULL,
                  ip = NULL, user_agent = NULL, request = NULL, response = NULL, changes = NULL
             FROM unnest($2::bigint[], $3::text[]) AS d(sequence, digest)
            WHERE e.organization_id = $1 AND e.sequence = d.sequence`,
          [organizationId, open.map((event) => event.sequence), open.map((event) => personalDigestOf(event))],
        );
        anonymised += open.length;
      });
    }
    return [
      {
        kind: 'audit_event',
        erased: 0,
        anonymised,
        kept,
        note: kept > 0 ? 'events recorded before anonymisable hashing are kept whole, or the chain would break' : null,
      },
    ];
  }
}
