import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type MembershipState = 'active' | 'suspended' | 'removed';

/**
 * Compliance's copy of identity's memberships, kept from identity's membership facts (it
 * never reads identity's tables): who is, or was, a member of which organization. A removed
 * membership stays as a row, so a late, older event cannot bring it back.
 */
@Entity({ name: 'memberships' })
export class ComplianceMembership {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ type: 'varchar', length: 16 })
  status: MembershipState;

  /** The sequence of the identity event this row reflects: only a later one changes it. */
  @Column({ name: 'source_sequence', type: 'bigint' })
  sourceSequence: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
