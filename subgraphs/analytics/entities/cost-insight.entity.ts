import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A recommendation that would save money, from the rules of `analytics.generate-insights`.
 * One per (organization, kind, subject): generating again updates an open one, and never
 * reopens one the organization applied or dismissed.
 */
@Entity({ name: 'cost_insights' })
@Index('cost_insights_subject_key', ['organizationId', 'kind', 'subject'], { unique: true })
export class CostInsight {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ type: 'varchar', length: 32 })
  kind: string;

  /** What it is about within its kind (a feature and model, a plan): the key that makes it one. */
  @Column({ type: 'varchar', length: 200 })
  subject: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  detail: string;

  @Column({ name: 'estimated_monthly_savings_micros', type: 'bigint' })
  estimatedMonthlySavingsMicros: string;

  @Column({ type: 'varchar', length: 16, default: 'open' })
  status: string;

  @Column({ name: 'status_changed_by', type: 'varchar', length: 64, nullable: true })
  statusChangedBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
