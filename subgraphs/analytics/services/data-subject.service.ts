import type { DataSource } from 'typeorm';
import { exportSections, sqlSection } from '../../../platform/personal-data/data-subject';
import type {
  DataSubject,
  DataSubjectContract,
  DataSubjectErasure,
  DataSubjectPage,
  DataSubjectSection,
} from '../../../platform/personal-data/data-subject';
import { eraseMutationFacts } from '../../../platform/outbox/outbox-erasure';
import type { PersonalDataCategory } from '../../../platform/personal-data/personal-data-directive';

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
    const query = (sql: string, parameters: unknown[]) => this.dataSource.query(sql, parameters);
    // Keyset pages: each starts after the last record's key (`$3`), on an index in the section's order.
    this.sections = [
      sqlSection(
        'call_record',
        query,
        `SELECT call_id AS id, call_id AS key, participants, codec, started_at AS "startedAt", ended_at AS "endedAt",
                billed_minutes AS "billedMinutes", mos, quality
           FROM analytics.call_records
          WHERE organization_id = $1 AND $2 = ANY(participants) AND call_id > COALESCE($3, '')
          ORDER BY call_id`,
      ),
      sqlSection(
        'recording',
        query,
        `SELECT r.id, jsonb_build_array(r.call_id, r.id)::text AS key, r.call_id AS "callId", r.duration_seconds AS "durationSeconds",
                r.transcript, r.summary, r.created_at AS "createdAt"
           FROM analytics.recordings r JOIN analytics.call_records c ON c.organization_id = r.organization_id AND c.call_id = r.call_id
          WHERE r.organization_id = $1 AND $2 = ANY(c.participants)
            AND r.call_id >= COALESCE($3::jsonb->>0, '') AND (r.call_id, r.id) > (COALESCE($3::jsonb->>0, ''), COALESCE($3::jsonb->>1, ''))
          ORDER BY r.call_id, r.id`,
      ),
      sqlSection(
        'ai_usage',
        query,
        `SELECT id, jsonb_build_array(occurred_at, id)::text AS key, feature, model, call_id AS "callId", tokens, seconds,
                cost_micros AS "costMicros", occurred_at AS "occurredAt"
           FROM analytics.ai_usage_events
          WHERE organization_id = $1 AND user_id = $2
            AND (occurred_at, id) > (COALESCE(($3::jsonb->>0)::timestamptz, '-infinity'), COALESCE($3::jsonb->>1, ''))
          ORDER BY occurred_at, id`,
      ),
      sqlSection(
        'seen',
        query,
        `SELECT user_id AS id, user_id AS key, first_seen_at AS "firstSeenAt", last_seen_at AS "lastSeenAt"
           FROM analytics.organization_users WHERE organization_id = $1 AND user_id = $2 AND user_id > COALESCE($3, '')`,
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
