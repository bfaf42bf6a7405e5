import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A usage alert already raised: each threshold of each allowance once per billing period. */
@Entity({ name: 'usage_alerts' })
export class UsageAlert {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @PrimaryColumn({ name: 'period_start', type: 'timestamptz' })
  periodStart: Date;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  allowance: string;

  /** Percent of what is included: 80 or 100. */
  @PrimaryColumn({ type: 'integer' })
  threshold: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
