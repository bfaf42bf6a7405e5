import type { DataSource } from 'typeorm';
import type { DataSubject, DataSubjectContract, DataSubjectErasure, DataSubjectPage } from '../../../platform/personal-data/data-subject';
import { BadUserInputError } from '../../../platform/errors';
import type { PersonalDataCategory } from '../../../platform/personal-data/personal-data-directive';
import { EVENT_COLUMNS, fromRow, isAnonymisable, personalDigestOf } from './audit-event';
import type { EventRow } from './audit-event';

const EVENTS_PER_PAGE = 200;

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

  async export({ organizationId, userId }: DataSubject, after: string | null, asked: number): Promise<DataSubjectPage> {
    // An event may carry 16 KB of request and changes: a page stays well within the gateway's response limit.
    const first = Math.min(asked, EVENTS_PER_PAGE);
    const from = after === null ? 0 : Number(after);
    if (!Number.isSafeInteger(from) || from < 0) throw new BadUserInputError('after: not a cursor of this export', 'after');
    const rows = (await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM (
         SELECT ${EVENT_COLUMNS} FROM audit.archived_events WHERE organization_id = $1 AND actor_id = $2 AND sequence > $3
         UNION ALL SELECT ${EVENT_COLUMNS} FROM audit.events WHERE organization_id = $1 AND actor_id = $2 AND sequence > $3) e
        ORDER BY sequence LIMIT ${first + 1}`,
      [organizationId, userId, from],
    )) as EventRow[];
    const events = rows.slice(0, first).map(fromRow);
    return {
      records: events.map((event) => ({
        kind: 'audit_event',
        id: event.id,
        data: {
          action: event.action,
          outcome: event.outcome,
          occurredAt: event.occurredAt.toISOString(),
          actorName: event.actor.displayName,
          ip: event.ip,
          userAgent: event.userAgent,
          targets: event.targets,
          request: event.request,
          changes: event.changes,
        },
      })),
      next: rows.length > first ? String(events[events.length - 1]!.sequence) : null,
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
