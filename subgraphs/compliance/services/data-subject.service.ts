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
import { AccessReviewEntry } from '../entities/access-review.entity';
import { ConsentRecord } from '../entities/consent-record.entity';
import { DataSubjectRequest } from '../entities/data-subject-request.entity';
import { LegalHold } from '../entities/legal-hold.entity';

/**
 * Compliance's own part of a data-subject request: the person's consent records, the legal
 * holds on them, their requests and the access-review entries about their roles.
 *
 * Erasure deletes their consent records (with the data gone there is nothing left to consent
 * to, and no consent to show). Legal holds are kept (a matter's record, and a hold still active
 * stops the deletion before it gets here), and so are the requests: they are how the
 * organization shows it answered (GDPR Art. 5(2)) and name the person by id only. Access-review
 * entries are kept as the record that access was reviewed (SOC 2 CC6.2), without the reviewer's note.
 */
export class ComplianceDataSubjectService implements DataSubjectContract {
  private readonly sections: DataSubjectSection[];

  constructor(private readonly dataSource: DataSource) {
    const query = (sql: string, parameters: unknown[]) => this.dataSource.query(sql, parameters);
    // Keyset pages in time order: each starts after the last record's (time, id) (`$3`).
    const after = (column: string) =>
      `(${column}, id) > (COALESCE(($3::jsonb->>0)::timestamptz, '-infinity'), COALESCE($3::jsonb->>1, '')) ORDER BY ${column}, id`;
    this.sections = [
      sqlSection(
        'consent',
        query,
        `SELECT id, jsonb_build_array(at, id)::text AS key, purpose, state, notice_version AS "noticeVersion", source, at
           FROM compliance.consent_records WHERE organization_id = $1 AND user_id = $2 AND ${after('at')}`,
      ),
      sqlSection(
        'legal_hold',
        query,
        `SELECT id, jsonb_build_array(placed_at, id)::text AS key, reason, reference, placed_at AS "placedAt", released_at AS "releasedAt"
           FROM compliance.legal_holds WHERE organization_id = $1 AND user_id = $2 AND ${after('placed_at')}`,
      ),
      sqlSection(
        'request',
        query,
        `SELECT id, jsonb_build_array(received_at, id)::text AS key, type, status, regulation, received_at AS "receivedAt", details
           FROM compliance.data_subject_requests WHERE organization_id = $1 AND user_id = $2 AND ${after('received_at')}`,
      ),
      sqlSection(
        'access_review_entry',
        query,
        `SELECT id, jsonb_build_array(review_id, role_id)::text AS key, review_id AS "reviewId", role_id AS "roleId", decision, note,
                decided_at AS "decidedAt", revoked_at AS "revokedAt"
           FROM compliance.access_review_entries WHERE organization_id = $1 AND user_id = $2
            AND (review_id, role_id) > (COALESCE($3::jsonb->>0, ''), COALESCE($3::jsonb->>1, '')) ORDER BY review_id, role_id`,
      ),
    ];
  }

  export(subject: DataSubject, after: string | null, first: number): Promise<DataSubjectPage> {
    return exportSections(this.sections, subject, after, first);
  }

  async erase({ organizationId, userId }: DataSubject, categories: readonly PersonalDataCategory[]): Promise<DataSubjectErasure[]> {
    const done: DataSubjectErasure[] = [];
    if (categories.includes('consent')) {
      const { affected } = await this.dataSource.getRepository(ConsentRecord).delete({ organizationId, userId });
      done.push({ kind: 'consent', erased: affected ?? 0, anonymised: 0, kept: 0 });
    }
    if (categories.includes('activity')) {
      // What the person wrote in their requests goes; the requests stay, by id.
      const { affected } = await this.dataSource
        .getRepository(DataSubjectRequest)
        .createQueryBuilder()
        .update()
        .set({ details: null })
        .where('organization_id = :organizationId AND user_id = :userId AND details IS NOT NULL', { organizationId, userId })
        .execute();
      const holds = await this.dataSource.getRepository(LegalHold).countBy({ organizationId, userId });
      // What a reviewer wrote about the person goes; the entries stay, the record that access was reviewed.
      const notes = await this.dataSource
        .getRepository(AccessReviewEntry)
        .createQueryBuilder()
        .update()
        .set({ note: null })
        .where('organization_id = :organizationId AND user_id = :userId AND note IS NOT NULL', { organizationId, userId })
        .execute();
      const entries = await this.dataSource.getRepository(AccessReviewEntry).countBy({ organizationId, userId });
      done.push(
        {
          kind: 'access_review_entry',
          erased: 0,
          anonymised: notes.affected ?? 0,
          kept: entries,
          note: 'kept as the record that access was reviewed (SOC 2 CC6.2)',
        },
        { kind: 'request', erased: 0, anonymised: affected ?? 0, kept: 0, note: 'kept to show the request was answered (Art. 5(2))' },
        { kind: 'legal_hold', erased: 0, anonymised: 0, kept: holds, note: "a legal matter's record" },
      );
    }
    if (categories.length > 0) done.push(await eraseMutationFacts(this.dataSource.manager, { organizationId, userId }));
    return done;
  }
}
