import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { RetentionAction, RetentionCategory } from '../../../platform/retention/retention-categories';

/**
 * One application of an organization's retention policies (or a dry run of it): started by
 * the schedule or an owner or admin, with one cutoff per category and the people held then.
 */
@Entity({ name: 'retention_runs' })
@Index('retention_runs_organization_requested_idx', ['organizationId', 'requestedAt'])
export class RetentionRun {
  /** `rtn_…` */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ name: 'dry_run', type: 'boolean' })
  dryRun: boolean;

  /** Who asked for it; null: the daily schedule (or the job run by hand). */
  @Column({ name: 'requested_by_id', type: 'varchar', length: 64, nullable: true })
  requestedById: string | null;

  @CreateDateColumn({ name: 'requested_at', type: 'timestamptz' })
  requestedAt: Date;

  /** A hold on the whole organization was active: nothing was asked of the owners. */
  @Column({ name: 'organization_held', type: 'boolean' })
  organizationHeld: boolean;

  /** People an active hold covered when it started (their data was skipped). */
  @Column({ name: 'held_users', type: 'integer' })
  heldUsers: number;
}

export enum RetentionRunStatus {
  /** Asked of its owner; not reported yet. */
  PENDING = 'pending',
  /** Its owner reported what went. */
  COMPLETED = 'completed',
  /** A hold on the whole organization: nothing was asked. */
  HELD = 'held',
}

/** What one run did, or is to do, with one category. */
@Entity({ name: 'retention_run_categories' })
export class RetentionRunCategory {
  @PrimaryColumn({ name: 'run_id', type: 'varchar', length: 40 })
  runId: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  category: RetentionCategory;

  @Column({ type: 'varchar', length: 16 })
  action: RetentionAction;

  @Column({ name: 'keep_days', type: 'integer' })
  keepDays: number;

  /** What was recorded before it is past its retention. */
  @Column({ type: 'timestamptz' })
  cutoff: Date;

  @Column({ type: 'varchar', length: 16 })
  status: RetentionRunStatus;

  /** Records deleted or archived (in a dry run: that would be); null until reported. */
  @Column({ type: 'integer', nullable: true })
  affected: number | null;

  /** Records past the cutoff kept because a hold covers them; null until reported. */
  @Column({ type: 'integer', nullable: true })
  held: number | null;

  @Column({ name: 'reported_at', type: 'timestamptz', nullable: true })
  reportedAt: Date | null;
}
