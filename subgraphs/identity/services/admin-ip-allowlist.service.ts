import type { DataSource } from 'typeorm';
import { MAX_ALLOWLIST_ENTRIES, allowlistContains, parseCidr } from '../../../platform/auth/admin-networks';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError } from '../../../platform/errors';
import { LOCAL_REVOCATIONS } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';

/**
 * Each organization's admin IP allowlist (the seed's "IP whitelisting for admin"): when it
 * holds networks, every mutation by an owner or admin must come from one of them, in every
 * subgraph (platform/auth/admin-networks.ts). Empty: no restriction. A change is the fact
 * `identity.admin_ip_allowlist.changed`, on which every process reads the list again.
 */
export class AdminIpAllowlistService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  /** The organization's networks, as stored (`203.0.113.0/24`); empty when it has none. */
  async get(organizationId: string): Promise<string[]> {
    const [row] = (await this.dataSource.query('SELECT cidrs FROM identity.admin_ip_allowlists WHERE organization_id = $1', [
      organizationId,
    ])) as { cidrs: string[] }[];
    return row?.cidrs ?? [];
  }

  /**
   * Replaces the organization's list (the resolver requires `organization:update`, and the
   * platform has already checked the caller's address against the current list). A list that
   * leaves out `callerIp` would lock the caller out of admin changes: refused unless
   * `confirmLockout`. Every process applies the new list from the next request on.
   */
  async set(
    principal: Principal,
    organizationId: string,
    values: string[],
    confirmLockout: boolean,
    callerIp: string | null,
  ): Promise<string[]> {
    assertOwnOrganization(principal, organizationId);
    if (values.length > MAX_ALLOWLIST_ENTRIES) {
      throw new BadUserInputError(`cidrs: at most ${MAX_ALLOWLIST_ENTRIES} networks`, 'cidrs');
    }
    const cidrs = [...new Set(values.map((value, index) => parseCidr(value, `cidrs[${index}]`)))];
    if (cidrs.length > 0 && !confirmLockout && !allowlistContains(cidrs, callerIp)) {
      throw new BadUserInputError(
        `cidrs: your address ${callerIp ?? '(unknown)'} is not on the new list, so you could make no more admin changes from here; add its network, or send confirmLockout: true to save it anyway`,
        'confirmLockout',
      );
    }
    const eventId = await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO identity.admin_ip_allowlists (organization_id, cidrs, updated_at, updated_by_id) VALUES ($1, $2, now(), $3)
         ON CONFLICT (organization_id) DO UPDATE SET cidrs = $2, updated_at = now(), updated_by_id = $3`,
        [organizationId, cidrs, principal.userId],
      );
      return this.outbox.add(manager, {
        type: 'identity.admin_ip_allowlist.changed',
        payload: { organizationId, userId: principal.userId, cidrs },
      });
    });
    // This process's checks have the new list before the answer goes out.
    await this.outbox.appliedBy([LOCAL_REVOCATIONS], eventId, 5_000);
    return cidrs;
  }
}
