import type { DataSource, EntityManager } from 'typeorm';
import type { MembershipEvent } from '../../../platform/outbox/event-catalogue';
import { ComplianceMembership } from '../entities/membership.entity';
import type { MembershipState } from '../entities/membership.entity';

/** Who is or was a member of which organization, as compliance knows it from identity's membership facts. */
export class MembershipService {
  constructor(private readonly dataSource: DataSource) {}

  /** The member's state in the organization; null for someone compliance never saw join it. */
  async statusOf(organizationId: string, userId: string): Promise<MembershipState | null> {
    const row = await this.dataSource.getRepository(ComplianceMembership).findOneBy({ organizationId, userId });
    return row?.status ?? null;
  }

  /** Applies one of identity's membership facts, unless a later one about the same membership already has. */
  async apply(event: MembershipEvent, manager: EntityManager): Promise<void> {
    let change: { organizationId: string; userId: string; status: MembershipState };
    switch (event.type) {
      case 'identity.organization.created':
        change = { organizationId: event.payload.organizationId, userId: event.payload.creatorUserId, status: 'active' };
        break;
      case 'identity.member.added':
      case 'identity.member.status_changed':
        change = { organizationId: event.payload.organizationId, userId: event.payload.userId, status: event.payload.status };
        break;
      case 'identity.member.removed':
        change = { organizationId: event.payload.organizationId, userId: event.payload.userId, status: 'removed' };
        break;
    }
    await manager.query(
      `INSERT INTO ${manager.connection.getMetadata(ComplianceMembership).tablePath} AS existing (organization_id, user_id, status, source_sequence)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id, user_id) DO UPDATE
          SET status = EXCLUDED.status, source_sequence = EXCLUDED.source_sequence, updated_at = now()
        WHERE existing.source_sequence < EXCLUDED.source_sequence`,
      [change.organizationId, change.userId, change.status, String(event.sequence)],
    );
  }
}
