import type { DataSource } from 'typeorm';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../platform/errors';
import { OWNER_ROLE_ID } from '../../../platform/authorization/system-roles';
import { newId, parseId } from '../../../platform/ids';
import type { AccessReviewDecision, NewEvent } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';
import { AccessReview, AccessReviewEntry } from '../entities/access-review.entity';
import type { Caller } from './caller';
import type { RoleAssignmentService } from './role-assignment.service';

/** At most this many reviews in a list, newest first. */
export const MAX_REVIEWS_LISTED = 50;
export const MAX_REVIEW_NOTE = 1000;
/**
 * How recent the last completed review must be for the report's check to pass: quarterly, the
 * period SOC 2 auditors commonly expect user access reviews (CC6.2, CC6.3) to be performed in.
 */
export const ACCESS_REVIEW_INTERVAL_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Entries inserted per statement when a review starts. */
const INSERT_BATCH = 1000;
/** Line breaks and tabs allowed, no other control character. */
const MULTI_LINE = /^(?:[\t\n\r]|[^\p{Cc}])*$/u;

/** A review with how far it has got. */
export interface AccessReviewView extends AccessReview {
  entryCount: number;
  decidedCount: number;
  revokeRequestedCount: number;
}

/** What a compliance report says about access reviews. */
export interface AccessReviewFigures {
  lastCompleted: { id: string; completedAt: Date; completedById: string } | null;
  daysSinceLastReview: number | null;
  /** A review was completed within the last ACCESS_REVIEW_INTERVAL_DAYS days. */
  withinInterval: boolean;
  intervalDays: number;
  /** Active members holding the owner or admin role. */
  privilegedMembers: number;
  /** Roles given or taken since the last completed review (null: none completed), except its own revocations. */
  roleChangesSinceLastReview: number | null;
  inProgress: number;
}

/**
 * Access reviews (SOC 2 CC6.2, CC6.3; HIPAA 164.308(a)(4)): a reviewer with `compliance:manage`
 * starts one for their organization, a snapshot of every role each member holds then (compliance's
 * copy of authz's assignments); decides each entry, kept or revocation requested, with a note,
 * as often as they like until the review is completed; and completes it once every entry is
 * decided. Each step is a fact in compliance's outbox, written with it; completing writes one
 * `compliance.access_review.revoke_requested` per revocation, which authz applies (its consumer).
 */
export class AccessReviewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly roles: RoleAssignmentService,
  ) {}

  async start(caller: Caller, organizationId: string): Promise<AccessReviewView> {
    const { principal } = caller;
    assertOwnOrganization(principal, organizationId, 'organizationId');
    return this.dataSource.transaction(async (manager) => {
      const review = manager.create(AccessReview, {
        id: newId('accessReview'),
        organizationId,
        status: 'in_progress',
        startedById: principal.userId,
        startedAt: new Date(),
        completedById: null,
        completedAt: null,
      });
      await manager.insert(AccessReview, review);
      const held = await this.roles.heldIn(organizationId, manager);
      for (let at = 0; at < held.length; at += INSERT_BATCH) {
        await manager.insert(
          AccessReviewEntry,
          held.slice(at, at + INSERT_BATCH).map((role) => ({
            id: newId('accessReviewEntry'),
            reviewId: review.id,
            organizationId,
            userId: role.userId,
            roleId: role.roleId,
            expiresAt: role.expiresAt,
            decision: null,
            note: null,
            decidedById: null,
            decidedAt: null,
            revokedAt: null,
          })),
        );
      }
      await this.outbox.add(manager, {
        type: 'compliance.access_review.started',
        payload: { organizationId, reviewId: review.id, startedById: principal.userId, entries: held.length },
      });
      return { ...review, entryCount: held.length, decidedCount: 0, revokeRequestedCount: 0 };
    });
  }

  /** Decides an entry of an open review of the caller's organization (again: the new decision replaces the old). */
  async decide(caller: Caller, entryId: string, decision: AccessReviewDecision, note?: string | null): Promise<AccessReviewEntry> {
    const { principal } = caller;
    const id = parseId('accessReviewEntry', entryId, 'input.entryId');
    const text = note == null || note.trim() === '' ? null : note.trim();
    if (text !== null && (text.length > MAX_REVIEW_NOTE || !MULTI_LINE.test(text))) {
      throw new BadUserInputError(
        `input.note: at most ${MAX_REVIEW_NOTE} characters, without control characters other than line breaks and tabs`,
        'input.note',
      );
    }
    return this.dataSource.transaction(async (manager) => {
      const entry = await manager.findOneBy(AccessReviewEntry, { id, organizationId: principal.organizationId });
      if (!entry) throw new NotFoundError('AccessReviewEntry', id, 'input.entryId');
      const review = await manager.findOne(AccessReview, { where: { id: entry.reviewId }, lock: { mode: 'pessimistic_write' } });
      if (review!.status === 'completed') {
        throw new ConflictError(`input.entryId: the access review ${review!.id} is completed; its decisions are final`, 'input.entryId');
      }
      if (decision === 'revoke_requested' && entry.roleId === OWNER_ROLE_ID) {
        // Authz keeps an organization's last owner (its revocation would be a no-op): refused here, where the reviewer sees it.
        const otherOwners = await manager
          .createQueryBuilder(AccessReviewEntry, 'entry')
          .where('entry.review_id = :reviewId AND entry.role_id = :roleId AND entry.id <> :id', {
            reviewId: entry.reviewId,
            roleId: OWNER_ROLE_ID,
            id: entry.id,
          })
          .andWhere("entry.decision IS DISTINCT FROM 'revoke_requested'")
          .getCount();
        if (otherOwners === 0) {
          throw new ConflictError(
            'input.decision: this is the last owner the review holds; another owner must be kept before this one is revoked',
            'input.decision',
          );
        }
      }
      Object.assign(entry, { decision, note: text, decidedById: principal.userId, decidedAt: new Date() });
      await manager.save(entry);
      await this.outbox.add(manager, {
        type: 'compliance.access_review.entry_decided',
        payload: { ...factOf(entry), decision, decidedById: principal.userId },
      });
      return entry;
    });
  }

  /**
   * Completes an open review once every entry is decided (CONFLICT naming how many are not), and
   * asks authz, through the outbox, to take away each role whose revocation was requested.
   */
  async complete(caller: Caller, reviewId: string): Promise<AccessReviewView> {
    const { principal } = caller;
    const id = parseId('accessReview', reviewId, 'id');
    return this.dataSource.transaction(async (manager) => {
      const review = await manager.findOne(AccessReview, {
        where: { id, organizationId: principal.organizationId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!review) throw new NotFoundError('AccessReview', id, 'id');
      if (review.status === 'completed') throw new ConflictError(`id: the access review ${id} is already completed`, 'id');
      const entries = await manager.findBy(AccessReviewEntry, { reviewId: id });
      const undecided = entries.filter((entry) => entry.decision === null).length;
      if (undecided > 0) {
        throw new ConflictError(
          `id: ${undecided} of the review's ${entries.length} entries are not decided yet; decide every one first`,
          'id',
        );
      }
      Object.assign(review, { status: 'completed', completedById: principal.userId, completedAt: new Date() });
      await manager.save(review);
      const revoked = entries.filter((entry) => entry.decision === 'revoke_requested');
      const facts: NewEvent[] = [
        {
          type: 'compliance.access_review.completed',
          payload: {
            organizationId: review.organizationId,
            reviewId: id,
            completedById: principal.userId,
            kept: entries.length - revoked.length,
            revokeRequested: revoked.length,
          },
        },
        ...revoked.map((entry) => ({
          type: 'compliance.access_review.revoke_requested' as const,
          payload: { ...factOf(entry), requestedById: principal.userId },
        })),
      ];
      await this.outbox.addMany(manager, facts);
      return { ...review, entryCount: entries.length, decidedCount: entries.length, revokeRequestedCount: revoked.length };
    });
  }

  /** The organization's reviews, newest first, at most MAX_REVIEWS_LISTED. */
  async list(caller: Caller, organizationId: string): Promise<AccessReviewView[]> {
    assertOwnOrganization(caller.principal, organizationId);
    const reviews = await this.dataSource.getRepository(AccessReview).find({
      where: { organizationId },
      order: { startedAt: 'DESC', id: 'DESC' },
      take: MAX_REVIEWS_LISTED,
    });
    return this.withCounts(reviews);
  }

  /** A review of the caller's organization; another organization's is NOT_FOUND. */
  async get(caller: Caller, reviewId: string): Promise<AccessReviewView> {
    const id = parseId('accessReview', reviewId, 'id');
    const review = await this.dataSource.getRepository(AccessReview).findOneBy({ id, organizationId: caller.principal.organizationId });
    if (!review) throw new NotFoundError('AccessReview', id, 'id');
    return (await this.withCounts([review]))[0]!;
  }

  /** A review's entries, by member then role. */
  async entries(review: Pick<AccessReview, 'id' | 'organizationId'>): Promise<AccessReviewEntry[]> {
    return this.dataSource.getRepository(AccessReviewEntry).find({
      where: { reviewId: review.id, organizationId: review.organizationId },
      order: { userId: 'ASC', roleId: 'ASC' },
    });
  }

  /** For the compliance report. */
  async figures(organizationId: string, now = new Date()): Promise<AccessReviewFigures> {
    const repository = this.dataSource.getRepository(AccessReview);
    const [last, inProgress, privilegedMembers] = await Promise.all([
      repository.findOne({ where: { organizationId, status: 'completed' }, order: { completedAt: 'DESC', id: 'DESC' } }),
      repository.countBy({ organizationId, status: 'in_progress' }),
      this.roles.privilegedMembers(organizationId),
    ]);
    const completedAt = last?.completedAt ?? null;
    const daysSince = completedAt ? Math.floor((now.getTime() - completedAt.getTime()) / DAY_MS) : null;
    return {
      lastCompleted: last && completedAt ? { id: last.id, completedAt, completedById: last.completedById! } : null,
      daysSinceLastReview: daysSince,
      withinInterval: completedAt !== null && now.getTime() - completedAt.getTime() <= ACCESS_REVIEW_INTERVAL_DAYS * DAY_MS,
      intervalDays: ACCESS_REVIEW_INTERVAL_DAYS,
      privilegedMembers,
      roleChangesSinceLastReview: completedAt ? await this.roles.changesSince(organizationId, completedAt) : null,
      inProgress,
    };
  }

  private async withCounts(reviews: AccessReview[]): Promise<AccessReviewView[]> {
    if (reviews.length === 0) return [];
    const counts = (await this.dataSource.query(
      `SELECT review_id AS "reviewId", count(*)::int AS entries, count(decision)::int AS decided,
              count(*) FILTER (WHERE decision = 'revoke_requested')::int AS revoke
         FROM compliance.access_review_entries WHERE review_id = ANY($1) GROUP BY review_id`,
      [reviews.map((review) => review.id)],
    )) as { reviewId: string; entries: number; decided: number; revoke: number }[];
    return reviews.map((review) => {
      const count = counts.find((row) => row.reviewId === review.id);
      return { ...review, entryCount: count?.entries ?? 0, decidedCount: count?.decided ?? 0, revokeRequestedCount: count?.revoke ?? 0 };
    });
  }
}

function factOf(entry: AccessReviewEntry) {
  return { organizationId: entry.organizationId, reviewId: entry.reviewId, entryId: entry.id, userId: entry.userId, roleId: entry.roleId };
}
