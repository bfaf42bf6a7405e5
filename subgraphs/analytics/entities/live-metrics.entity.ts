import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The latest live figures an organization's media servers reported: one row per organization. */
@Entity({ name: 'live_metrics' })
export class LiveMetrics {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ name: 'active_calls', type: 'integer', default: 0 })
  activeCalls: number;

  @Column({ name: 'ai_calls_in_progress', type: 'integer', default: 0 })
  aiCallsInProgress: number;

  /** Mean opinion score, 1–5, over the calls in progress; null with no calls. */
  @Column({ name: 'average_mos', type: 'real', nullable: true })
  averageMos: number | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
