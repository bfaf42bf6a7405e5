import type { DataSource } from 'typeorm';
import { exportSections } from '../../../platform/personal-data/data-subject';
import type {
  DataSubject,
  DataSubjectContract,
  DataSubjectErasure,
  DataSubjectPage,
  DataSubjectSection,
} from '../../../platform/personal-data/data-subject';
import { eraseMutationFacts } from '../../../platform/outbox/outbox-erasure';
import type { PersonalDataCategory } from '../../../platform/personal-data/personal-data-directive';

type Row = Record<string, unknown> & { id: string };

/**
 * Analytics' part of a data-subject request: the calls the person took part in (with their
 * quality), the transcripts and summaries of those calls' recordings, their AI usage, and when
 * analytics first and last saw them.
 *
 * Erasure: the person leaves each call's participants and their AI usage loses its user (the
 * figures and costs stay: they are the organization's, and billing was told of them); the
 * transcripts and summaries of their calls go, since they are what was said; the
 * first/last-seen row is deleted.
 */
export class AnalyticsDataSubjectService implements DataSubjectContract {
  private readonly sections: DataSubjectSection[];

  constructor(private readonly dataSource: DataSource) {
    const section = (kind: string, sql: string): DataSubjectSection => ({
      kind,
      read: async ({ organizationId, userId }, offset, limit) => {
        const rows = (await this.dataSource.query(`${sql} LIMIT ${limit} OFFSET ${offset}`, [organizationId, userId])) as Row[];
        return rows.map(({ id, ...data }) => ({ kind, id, data }));
      },
    });
    this.sections = [
      section(
        'call_record',
        `SELECT call_id AS id, participants, codec, started_at AS "startedAt", ended_at AS "endedAt",
                billed_minutes AS "billedMinutes", mos, quality
           FROM analytics.call_records WHERE organization_id = $1 AND $2 = ANY(participants) ORDER BY call_id`,
      ),
      section(
        'recording',
        `SELECT r.id, r.call_id AS "callId", r.duration_seconds AS "durationSeconds", r.transcript, r.summary, r.created_at AS "createdAt"
           FROM analytics.recordings r JOIN analytics.call_records c ON c.organization_id = r.organization_id AND c.call_id = r.call_id
          WHERE r.organization_id = $1 AND $2 = ANY(c.participants) ORDER BY r.id`,
      ),
      section(
        'ai_usage',
        `SELECT id, feature, model, call_id AS "callId", tokens, seconds, cost_micros AS "costMicros", occurred_at AS "occurredAt"
           FROM analytics.ai_usage_events WHERE organization_id = $1 AND user_id = $2 ORDER BY occurred_at, id`,
      ),
      section(
        'seen',
        `SELECT user_id AS id, first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt"
           FROM analytics.organization_users WHERE organization_id = $1 AND user_id = $2`,
      ),
    ];
  }

  export(subject: DataSubject, after: string | null, first: number): Promise<DataSubjectPage> {
    return exportSections(this.sections, subject, after, first);
  }

  async erase({ organizationId, userId }: DataSubject, categories: readonly PersonalDataCategory[]): Promise<DataSubjectErasure[]> {
    const done: DataSubjectErasure[] = [];
    await this.dataSource.transaction(async (manager) => {
      const count = async (sql: string) => ((await manager.query(sql, [organizationId, userId])) as [unknown, number])[1];
      if (categories.includes('communications')) {
        // The recordings first: they are found through the participants.
        const recordings = await count(
          `UPDATE analytics.recordings r SET transcript = NULL, summary = NULL, updated_at = now()
             FROM analytics.call_records c
            WHERE c.organization_id = r.organization_id AND c.call_id = r.call_id
              AND r.organization_id = $1 AND $2 = ANY(c.participants) AND (r.transcript IS NOT NULL OR r.summary IS NOT NULL)`,
        );
        const calls = await count(
          `UPDATE analytics.call_records SET participants = array_remove(participants, $2::varchar)
            WHERE organization_id = $1 AND $2 = ANY(participants)`,
        );
        done.push(
          { kind: 'recording', erased: 0, anonymised: recordings, kept: 0, note: 'transcript and summary removed; quality figures kept' },
          { kind: 'call_record', erased: 0, anonymised: calls, kept: 0 },
        );
      }
      if (categories.includes('activity')) {
        const usage = await count('UPDATE analytics.ai_usage_events SET user_id = NULL WHERE organization_id = $1 AND user_id = $2');
        const seen = await count('DELETE FROM analytics.organization_users WHERE organization_id = $1 AND user_id = $2');
        done.push(
          { kind: 'ai_usage', erased: 0, anonymised: usage, kept: 0, note: "the organization's usage and cost kept without the person" },
          { kind: 'seen', erased: seen, anonymised: 0, kept: 0 },
        );
      }
      if (categories.length > 0) done.push(await eraseMutationFacts(manager, { organizationId, userId }));
    });
    return done;
  }
}
