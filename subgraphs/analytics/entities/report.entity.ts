import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A saved custom report: which metrics, filtered how, grouped by what, over which period,
 * in which format, and (optionally) on which cron schedule (UTC). `nextRunAt` is the next
 * tick of the schedule: the job `analytics.run-reports` queues a run when it has passed.
 */
@Entity({ name: 'reports' })
@Index('reports_organization_idx', ['organizationId', 'createdAt'])
@Index('reports_due_idx', ['nextRunAt'], { where: 'next_run_at IS NOT NULL' })
export class Report {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Metric names from the catalogue (`report-catalogue.ts`), in column order. */
  @Column({ type: 'varchar', length: 32, array: true })
  metrics: string[];

  /** `{ codec?, feature?, model?, userId?, degradedOnly? }`. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  filters: Record<string, unknown>;

  @Column({ name: 'group_by', type: 'varchar', length: 16 })
  groupBy: string;

  @Column({ type: 'varchar', length: 24 })
  period: string;

  @Column({ type: 'varchar', length: 8 })
  format: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  schedule: string | null;

  @Column({ name: 'next_run_at', type: 'timestamptz', nullable: true })
  nextRunAt: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
