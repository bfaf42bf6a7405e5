import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { RetentionAction, RetentionCategory } from '../../../platform/retention/retention-categories';

/**
 * How long an organization keeps one category of data, and what happens to it then: deleted
 * or archived by the subgraph that owns it when `compliance.apply-retention` runs.
 */
@Entity({ name: 'retention_policies' })
export class RetentionPolicy {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  category: RetentionCategory;

  @Column({ name: 'keep_days', type: 'integer' })
  keepDays: number;

  @Column({ type: 'varchar', length: 16 })
  action: RetentionAction;

  @Column({ name: 'updated_by_id', type: 'varchar', length: 64 })
  updatedById: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
