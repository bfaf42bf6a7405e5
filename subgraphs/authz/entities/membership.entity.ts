import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type MembershipState = 'active' | 'suspended' | 'removed';

/**
 * Authz's copy of identity's memberships, kept from identity's membership events (a
 * projection: identity owns the memberships). Roles go only to active members; a removed
 * membership stays as a row, so a late, older event cannot bring it back.
 */
@Entity({ name: 'memberships' })
@Index('memberships_organization_status_idx', ['organizationId', 'status'])
export class Membership {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  /** identity's `mem_…` */
  @Column({ name: 'membership_id', type: 'varchar', length: 64 })
  membershipId: string;

  @Column({ type: 'varchar', length: 16 })
  status: MembershipState;

  /** The sequence of the identity event this row reflects: only a later one changes it. */
  @Column({ name: 'source_sequence', type: 'bigint' })
  sourceSequence: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
