import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Report } from './report.entity';

/**
 * One run of a report: asked for (`manual`) or due on its schedule (`schedule`), over the
 * period resolved when it was queued, with its output kept for download. A report keeps its
 * last runs (`REPORT_RUNS_KEPT`); the output is the report's figures, never more than
 * `REPORT_MAX_ROWS` rows.
 */
@Entity({ name: 'report_runs' })
@Index('report_runs_report_idx', ['reportId', 'createdAt'])
@Index('report_runs_queued_idx', ['createdAt'], { where: "status = 'queued'" })
export class ReportRun {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'report_id', type: 'varchar', length: 64 })
  reportId: string;

  /** Deleting a report deletes its runs. */
  @ManyToOne(() => Report, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'report_id' })
  report?: Report;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  /** `queued`, `running`, `succeeded`, `failed`. */
  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status: string;

  /** `manual` or `schedule`. */
  @Column({ type: 'varchar', length: 16 })
  trigger: string;

  @Column({ name: 'requested_by', type: 'varchar', length: 64, nullable: true })
  requestedBy: string | null;

  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart: Date;

  @Column({ name: 'period_end', type: 'timestamptz' })
  periodEnd: Date;

  @Column({ type: 'varchar', length: 8 })
  format: string;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'row_count', type: 'integer', nullable: true })
  rowCount: number | null;

  /** The figures had more rows than a report keeps: the first ones are in the output. */
  @Column({ type: 'boolean', default: false })
  truncated: boolean;

  @Column({ type: 'bytea', nullable: true, select: false })
  output: Buffer | null;

  @Column({ name: 'output_bytes', type: 'integer', nullable: true })
  outputBytes: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
