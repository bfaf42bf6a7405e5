import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError } from '../../../platform/errors';
import { LOCAL_REVOCATIONS } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';
import type { SessionPolicy } from '../types/session-policy.type';

const MINUTE = 60_000;

/** What an admin may set, in minutes: idle 5 minutes to 30 days, absolute 1 hour to 90 days (the table's CHECKs agree). */
export const SESSION_POLICY_BOUNDS = {
  idle: { min: 5, max: 30 * 24 * 60 },
  absolute: { min: 60, max: 90 * 24 * 60 },
} as const;

export interface SessionLifetimes {
  /** A session not refreshed for this long ends. */
  idleTimeoutMs: number;
  /** A session ends this long after sign-in, however often it is refreshed. */
  absoluteLifetimeMs: number;
}

/** An organization that has set no policy: idle 24 hours, absolute 30 days. */
export const DEFAULT_SESSION_LIFETIMES: SessionLifetimes = {
  idleTimeoutMs: 24 * 60 * MINUTE,
  absoluteLifetimeMs: 30 * 24 * 60 * MINUTE,
};

export interface SessionPolicyChange {
  idleTimeoutMinutes?: number | null;
  absoluteLifetimeMinutes?: number | null;
}

interface PolicyRow {
  organization_id: string;
  idle_timeout_minutes: number;
  absolute_lifetime_minutes: number;
  updated_at: Date;
}

/** How long an ending waits for this process's revocations to take it in, at most. */
const REVOCATION_SETTLE_MS = 5_000;

/**
 * Each organization's session policy (the automatic log-off). The session service applies
 * it: a new session's expiry is sign-in plus the absolute lifetime, a refresh after the idle
 * timeout or past the expiry ends the session. Changing the absolute lifetime moves the expiry
 * of the organization's open sessions with it, and ends at once those already past it.
 */
export class SessionPolicyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    /** An organization's lifetimes while it has set none. */
    readonly defaultLifetimes: SessionLifetimes = DEFAULT_SESSION_LIFETIMES,
    private readonly now: () => number = Date.now,
  ) {}

  /** The policies of these organizations, in their order (the defaults for one that set none). */
  async findByOrganizationIds(organizationIds: readonly string[]): Promise<SessionPolicy[]> {
    const rows = (await this.dataSource.query(
      'SELECT organization_id, idle_timeout_minutes, absolute_lifetime_minutes, updated_at FROM identity.session_policies WHERE organization_id = ANY($1)',
      [organizationIds],
    )) as PolicyRow[];
    const byId = new Map(rows.map((row) => [row.organization_id, row]));
    return organizationIds.map((id) => this.toPolicy(id, byId.get(id)));
  }

  /** The lifetimes a session of this organization has, read in `manager`'s transaction when given. */
  async lifetimesOf(organizationId: string, manager: Pick<EntityManager, 'query'> = this.dataSource): Promise<SessionLifetimes> {
    const [row] = (await manager.query(
      'SELECT organization_id, idle_timeout_minutes, absolute_lifetime_minutes, updated_at FROM identity.session_policies WHERE organization_id = $1',
      [organizationId],
    )) as PolicyRow[];
    return row
      ? { idleTimeoutMs: row.idle_timeout_minutes * MINUTE, absoluteLifetimeMs: row.absolute_lifetime_minutes * MINUTE }
      : this.defaultLifetimes;
  }

  /**
   * Sets the policy of the caller's organization (the resolver requires `sessions:manage`).
   * Open sessions take the new absolute lifetime; those already past it end now (`expired`),
   * their tokens refused from the next request on.
   */
  async update(principal: Principal, organizationId: string, change: SessionPolicyChange): Promise<SessionPolicy> {
    assertOwnOrganization(principal, organizationId);
    const now = new Date(this.now());
    const { row, eventIds } = await this.dataSource.transaction(async (manager) => {
      // One writer at a time per organization.
      await manager.query('SELECT 1 FROM identity.organizations WHERE id = $1 FOR UPDATE', [organizationId]);
      const current = await this.lifetimesOf(organizationId, manager);
      const idle = change.idleTimeoutMinutes ?? current.idleTimeoutMs / MINUTE;
      const absolute = change.absoluteLifetimeMinutes ?? current.absoluteLifetimeMs / MINUTE;
      assertWithinBounds(idle, absolute);
      const [row] = (await manager.query(
        `INSERT INTO identity.session_policies (organization_id, idle_timeout_minutes, absolute_lifetime_minutes, updated_at, updated_by_id)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organization_id) DO UPDATE SET idle_timeout_minutes = $2, absolute_lifetime_minutes = $3, updated_at = $4, updated_by_id = $5
         RETURNING organization_id, idle_timeout_minutes, absolute_lifetime_minutes, updated_at`,
        [organizationId, idle, absolute, now, principal.userId],
      )) as PolicyRow[];
      // Open sessions the new lifetime has already passed end now; the others take its expiry.
      const [ended] = (await manager.query(
        `UPDATE identity.sessions SET revoked_at = $2, revoked_reason = 'expired', expires_at = created_at + make_interval(mins => $3)
          WHERE organization_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND created_at + make_interval(mins => $3) <= $2
          RETURNING id, user_id`,
        [organizationId, now, absolute],
      )) as [{ id: string; user_id: string }[], number];
      await manager.query(
        `UPDATE identity.sessions SET expires_at = created_at + make_interval(mins => $3)
          WHERE organization_id = $1 AND revoked_at IS NULL AND expires_at > $2`,
        [organizationId, now, absolute],
      );
      const eventIds: string[] = [];
      for (const session of ended) {
        eventIds.push(
          await this.outbox.add(manager, {
            type: 'identity.session.revoked',
            payload: { organizationId, userId: session.user_id, sessionId: session.id, reason: 'expired', revokedById: principal.userId },
          }),
        );
      }
      return { row: row!, eventIds };
    });
    await Promise.all(eventIds.map((eventId) => this.outbox.appliedBy([LOCAL_REVOCATIONS], eventId, REVOCATION_SETTLE_MS)));
    return this.toPolicy(organizationId, row);
  }

  private toPolicy(organizationId: string, row: PolicyRow | undefined): SessionPolicy {
    return row
      ? {
          organizationId,
          idleTimeoutMinutes: row.idle_timeout_minutes,
          absoluteLifetimeMinutes: row.absolute_lifetime_minutes,
          isDefault: false,
          updatedAt: row.updated_at,
        }
      : {
          organizationId,
          idleTimeoutMinutes: this.defaultLifetimes.idleTimeoutMs / MINUTE,
          absoluteLifetimeMinutes: this.defaultLifetimes.absoluteLifetimeMs / MINUTE,
          isDefault: true,
          updatedAt: null,
        };
  }
}

/**
 * The input type checks each bound; this checks them again for callers past GraphQL. An idle
 * timeout longer than the absolute lifetime is allowed: sessions then end by lifetime only.
 */
function assertWithinBounds(idle: number, absolute: number): void {
  const { idle: idleBounds, absolute: absoluteBounds } = SESSION_POLICY_BOUNDS;
  if (!Number.isInteger(idle) || idle < idleBounds.min || idle > idleBounds.max) {
    throw new BadUserInputError(
      `input.idleTimeoutMinutes: must be a whole number from ${idleBounds.min} to ${idleBounds.max}`,
      'input.idleTimeoutMinutes',
    );
  }
  if (!Number.isInteger(absolute) || absolute < absoluteBounds.min || absolute > absoluteBounds.max) {
    throw new BadUserInputError(
      `input.absoluteLifetimeMinutes: must be a whole number from ${absoluteBounds.min} to ${absoluteBounds.max}`,
      'input.absoluteLifetimeMinutes',
    );
  }
}
