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
    this.sections = [
      {
        kind: 'consent',
        read: async ({ organizationId, userId }, offset, limit) =>
          (
            await this.dataSource.getRepository(ConsentRecord).find({
              where: { organizationId, userId },
              order: { at: 'ASC', id: 'ASC' },
              skip: offset,
              take: limit,
            })
          ).map((row) => ({
            kind: 'consent',
            id: row.id,
            data: {
              purpose: row.purpose,
              state: row.state,
              noticeVersion: row.noticeVersion,
              source: row.source,
              at: row.at.toISOString(),
            },
          })),
      },
      {
        kind: 'legal_hold',
        read: async ({ organizationId, userId }, offset, limit) =>
          (
            await this.dataSource.getRepository(LegalHold).find({
              where: { organizationId, userId },
              order: { placedAt: 'ASC', id: 'ASC' },
              skip: offset,
              take: limit,
            })
          ).map((row) => ({
            kind: 'legal_hold',
            id: row.id,
            data: {
              reason: row.reason,
              reference: row.reference,
              placedAt: row.placedAt.toISOString(),
              releasedAt: row.releasedAt?.toISOString() ?? null,
            },
          })),
      },
      {
        kind: 'request',
        read: async ({ organizationId, userId }, offset, limit) =>
          (
            await this.dataSource.getRepository(DataSubjectRequest).find({
              where: { organizationId, userId },
              order: { receivedAt: 'ASC', id: 'ASC' },
              skip: offset,
              take: limit,
            })
          ).map((row) => ({
            kind: 'request',
            id: row.id,
            data: {
              type: row.type,
              status: row.status,
              regulation: row.regulation,
              receivedAt: row.receivedAt.toISOString(),
              details: row.details,
            },
          })),
      },
      {
        kind: 'access_review_entry',
        read: async ({ organizationId, userId }, offset, limit) =>
          (
            await this.dataSource.getRepository(AccessReviewEntry).find({
              where: { organizationId, userId },
              order: { reviewId: 'ASC', roleId: 'ASC' },
              skip: offset,
              take: limit,
            })
          ).map((row) => ({
            kind: 'access_review_entry',
            id: row.id,
            data: {
              reviewId: row.reviewId,
              roleId: row.roleId,
              decision: row.decision,
              note: row.note,
              decidedAt: row.decidedAt?.toISOString() ?? null,
              revokedAt: row.revokedAt?.toISOString() ?? null,
            },
          })),
      },
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
