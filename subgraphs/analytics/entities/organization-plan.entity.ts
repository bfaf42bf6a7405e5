import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The plan an organization is on, as billing's facts say (`billing.subscription.*`): analytics
 * never reads billing's tables. Used by the plan right-sizing insight.
 */
@Entity({ name: 'organization_plans' })
export class OrganizationPlan {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  /** `free`, `pro`, `enterprise`; null once the subscription was canceled. */
  @Column({ name: 'plan_code', type: 'varchar', length: 32, nullable: true })
  planCode: string | null;

  /** Billing's outbox order of the fact applied last: an older fact delivered late changes nothing. */
  @Column({ name: 'source_sequence', type: 'bigint' })
  sourceSequence: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
