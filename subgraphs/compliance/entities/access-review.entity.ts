import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AccessReviewDecision } from '../../../platform/outbox/event-catalogue';

export type AccessReviewState = 'in_progress' | 'completed';

/**
 * An access review of an organization (SOC 2 CC6.2, CC6.3): a snapshot of every role each
 * member held when it started, one entry per role, each kept or its revocation requested by a
 * reviewer; completed once every entry is decided. Reviews are never deleted.
 */
@Entity({ name: 'access_reviews' })
@Index('access_reviews_organization_started_idx', ['organizationId', 'startedAt'])
@Index('access_reviews_completed_idx', ['organizationId', 'completedAt'], { where: "status = 'completed'" })
export class AccessReview {
  /** `arv_…` */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ type: 'varchar', length: 16 })
  status: AccessReviewState;

  @Column({ name: 'started_by_id', type: 'varchar', length: 64 })
  startedById: string;

  /** The moment of the snapshot. */
  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'completed_by_id', type: 'varchar', length: 64, nullable: true })
  completedById: string | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}

/** One role a member held when the review started, and the reviewer's decision about it. */
@Entity({ name: 'access_review_entries' })
@Index('access_review_entries_review_user_role_key', ['reviewId', 'userId', 'roleId'], { unique: true })
export class AccessReviewEntry {
  /** `arve_…` */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ name: 'review_id', type: 'varchar', length: 40 })
  reviewId: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ name: 'role_id', type: 'varchar', length: 64 })
  roleId: string;

  /** The assignment's expiry at the snapshot; null: none. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** Null until decided. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  decision: AccessReviewDecision | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  note: string | null;

  @Column({ name: 'decided_by_id', type: 'varchar', length: 64, nullable: true })
  decidedById: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  /** When authz took the role away on this entry's revoke request (its `authz.role.unassigned` fact). */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
