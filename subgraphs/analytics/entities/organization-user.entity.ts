import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A person analytics has seen in an organization's calls or AI usage: its own record of
 * users (it never reads identity's tables), for `totalUsers` and idle seats.
 */
@Entity({ name: 'organization_users' })
export class OrganizationUser {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 128 })
  userId: string;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt: Date;
}
