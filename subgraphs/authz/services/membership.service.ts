import { In } from 'typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { ConflictError, NotFoundError } from '../../../platform/errors';
import { plainRows } from '../../../platform/plain-sql';
import { Membership } from '../entities/membership.entity';
import type { MembershipState } from '../entities/membership.entity';

export interface MembershipChange {
  organizationId: string;
  userId: string;
  membershipId: string;
  status: MembershipState;
  /** The identity event's sequence. */
  sequence: number;
}

/** Who is a member of which organization, as authz knows it from identity's events. */
export class MembershipService {
  private readonly memberships: Repository<Membership>;
  private statusQuery: string | undefined;

  constructor(private readonly dataSource: DataSource) {
    this.memberships = dataSource.getRepository(Membership);
  }

  /** On every permission decision: one primary-key read in plain SQL. */
  async statusOf(organizationId: string, userId: string): Promise<MembershipState | null> {
    this.statusQuery ??= `SELECT status FROM ${this.dataSource.getMetadata(Membership).tablePath} WHERE organization_id = $1 AND user_id = $2`;
    const [row] = await plainRows<{ status: MembershipState }>(this.dataSource, this.statusQuery, [organizationId, userId]);
    return row?.status ?? null;
  }

  /** Roles go to active members only: someone else is NOT_FOUND, a suspended member CONFLICT. */
  async assertActive(organizationId: string, userId: string, field: string): Promise<void> {
    const status = await this.statusOf(organizationId, userId);
    if (status === 'suspended') {
      throw new ConflictError(`${field}: the membership of ${userId} is suspended; reactivate it before giving them a role`, field);
    }
    if (status !== 'active') throw new NotFoundError('Member', userId, field);
  }

  /** Those of `userIds` who are active members of the organization. */
  async activeAmong(organizationId: string, userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.memberships.find({
      select: { userId: true },
      where: { organizationId, userId: In([...userIds]), status: 'active' },
    });
    return new Set(rows.map((row) => row.userId));
  }

  /**
   * Records the change unless a later event about this membership already has (events of
   * one membership may arrive out of order when several relays publish). Answers whether it did.
   */
  async record(manager: EntityManager, change: MembershipChange): Promise<boolean> {
    const table = manager.connection.getMetadata(Membership).tablePath;
    const rows: unknown[] = await manager.query(
      `INSERT INTO ${table} AS existing (organization_id, user_id, membership_id, status, source_sequence)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (organization_id, user_id) DO UPDATE
          SET membership_id = EXCLUDED.membership_id, status = EXCLUDED.status,
              source_sequence = EXCLUDED.source_sequence, updated_at = now()
        WHERE existing.source_sequence < EXCLUDED.source_sequence
       RETURNING user_id`,
      [change.organizationId, change.userId, change.membershipId, change.status, change.sequence],
    );
    return rows.length > 0;
  }
}
