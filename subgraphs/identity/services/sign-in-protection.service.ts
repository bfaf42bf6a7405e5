import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import type { Config } from '../../../platform/config';
import { ForbiddenError, NotFoundError, RateLimitedError, UnauthenticatedError } from '../../../platform/errors';
import { parseId } from '../../../platform/ids';
import type { Outbox } from '../../../platform/outbox/outbox';

export type SignInProtectionSettings = Config['signIn'];

interface LockoutRow {
  locked_until: Date;
}

/**
 * Attack protection at sign-in. Failed attempts (a refused SSO callback, a wrong MFA code) are
 * counted with rate-limiter-flexible, in Redis when REDIS_URL is set (every identity process
 * counts the same, memory standing in while Redis does not answer), in memory without it:
 * - per address: `ipMaxFailures` within the window refuse the address's next sign-ins (429)
 *   until the window has passed;
 * - per member of an organization: `maxFailures` within the window lock them out of the
 *   organization's sign-ins for `lockoutSeconds` (429 with `reason: locked_out`). The lock-out
 *   is a row (`identity.sign_in_lockouts`), so it outlives the counters, and a fact
 *   (`identity.user.locked_out`). It ends by itself when its time has passed (the fact
 *   `identity.user.unlocked`, `expired`, is stated when it is next looked at) or when an admin
 *   ends it (`unlockUser`, `by_admin`). A successful sign-in starts the member's count again.
 */
export class SignInProtectionService {
  private readonly redis: Redis | undefined;
  private readonly byAddress: RateLimiterAbstract | undefined;
  private readonly byMember: RateLimiterAbstract;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly settings: SignInProtectionSettings,
    redisUrl: string | undefined,
    keyPrefix: string,
    private readonly now: () => number = Date.now,
  ) {
    // Connected on first use: most processes that build identity's services never see a sign-in.
    this.redis = redisUrl ? new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true }) : undefined;
    this.redis?.on('error', () => undefined);
    const counter = (name: string, points: number) => {
      const options = { keyPrefix: `${keyPrefix}:${name}`, points, duration: settings.failureWindowSeconds };
      const memory = new RateLimiterMemory(options);
      return this.redis ? new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: memory }) : memory;
    };
    this.byAddress = settings.ipMaxFailures > 0 ? counter('ip', settings.ipMaxFailures) : undefined;
    this.byMember = counter('member', settings.maxFailures);
  }

  /**
   * Runs a sign-in attempt from `ip`: refused at once (429) while the address has spent its
   * failures; a refusal of the attempt (UNAUTHENTICATED, FORBIDDEN) costs the address one.
   */
  async attempt<T>(ip: string | null, run: () => Promise<T>): Promise<T> {
    await this.assertAddressAllowed(ip);
    try {
      return await run();
    } catch (error) {
      if (error instanceof UnauthenticatedError || error instanceof ForbiddenError) await this.failedFromAddress(ip);
      throw error;
    }
  }

  async assertAddressAllowed(ip: string | null): Promise<void> {
    if (!this.byAddress || !ip) return;
    const counted = await this.byAddress.get(ip).catch(() => null);
    if (counted && counted.consumedPoints >= this.settings.ipMaxFailures) {
      const seconds = Math.max(1, Math.ceil(counted.msBeforeNext / 1000));
      throw new RateLimitedError(seconds, {
        message: `Too many failed sign-ins from your address: retry after ${seconds}s`,
        extensions: { reason: 'too_many_failures' },
      });
    }
  }

  async failedFromAddress(ip: string | null): Promise<void> {
    if (this.byAddress && ip) await this.byAddress.penalty(ip, 1).catch(() => undefined);
  }

  /**
   * Refuses (429, `reason: locked_out`, Retry-After the time left) a member locked out of the
   * organization's sign-ins; a lock-out whose time has passed ends here (`expired`).
   */
  async assertNotLocked(organizationId: string, userId: string): Promise<void> {
    const [row] = (await this.dataSource.query(
      'SELECT locked_until FROM identity.sign_in_lockouts WHERE organization_id = $1 AND user_id = $2 AND ended_at IS NULL',
      [organizationId, userId],
    )) as LockoutRow[];
    await this.assertNotLockedUntil(organizationId, userId, row?.locked_until ?? null);
  }

  /**
   * `assertNotLocked` for a sign-in that read the member's open lock-out (`lockedUntil`, null
   * for none) in its own statement with the rest of what it needs.
   */
  async assertNotLockedUntil(organizationId: string, userId: string, lockedUntil: Date | null): Promise<void> {
    if (!lockedUntil) return;
    const left = lockedUntil.getTime() - this.now();
    if (left > 0) {
      const seconds = Math.ceil(left / 1000);
      throw new RateLimitedError(seconds, {
        message: `Too many failed sign-ins: your account is locked for ${seconds}s more, or until an admin of the organization unlocks it`,
        extensions: { reason: 'locked_out' },
      });
    }
    await this.end(organizationId, userId, 'expired', null);
  }

  /**
   * A failed sign-in of a known member (a wrong MFA code, a refused callback that named them).
   * The one that reaches `maxFailures` locks them out; answers whether it did.
   */
  async failedForMember(organizationId: string, userId: string, ip: string | null): Promise<boolean> {
    const counted = await this.byMember.penalty(`${organizationId}:${userId}`, 1).catch(() => null);
    if (!counted || counted.consumedPoints < this.settings.maxFailures) return false;
    const now = this.now();
    const lockedUntil = new Date(now + this.settings.lockoutSeconds * 1000);
    const locked = await this.dataSource.transaction(async (manager) => {
      // A member with an open lock-out is not locked again (two failures at once count one lock-out).
      const rows = (await manager.query(
        `INSERT INTO identity.sign_in_lockouts (organization_id, user_id, locked_at, locked_until, failures)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organization_id, user_id) DO UPDATE
           SET locked_at = $3, locked_until = $4, failures = $5, ended_at = NULL, ended_reason = NULL, ended_by_id = NULL
           WHERE identity.sign_in_lockouts.ended_at IS NOT NULL OR identity.sign_in_lockouts.locked_until <= $3
         RETURNING user_id`,
        [organizationId, userId, new Date(now), lockedUntil, counted.consumedPoints],
      )) as unknown[];
      if (rows.length === 0) return false;
      await this.outbox.add(manager, {
        type: 'identity.user.locked_out',
        payload: { organizationId, userId, failures: counted.consumedPoints, lockedUntil: lockedUntil.toISOString(), ip },
      });
      return true;
    });
    await this.byMember.delete(`${organizationId}:${userId}`).catch(() => undefined);
    return locked;
  }

  /** A member signed in: their failures so far no longer count towards a lock-out. */
  async succeeded(organizationId: string, userId: string): Promise<void> {
    await this.byMember.delete(`${organizationId}:${userId}`).catch(() => undefined);
  }

  /** When each member's lock-out ends (`organizationId:userId` keys, in their order), null for one not locked out. */
  async lockedUntilOf(memberKeys: readonly string[]): Promise<(Date | null)[]> {
    const pairs = memberKeys.map((key) => key.split(':') as [string, string]);
    const rows = (await this.dataSource.query(
      `SELECT l.organization_id, l.user_id, l.locked_until FROM identity.sign_in_lockouts l
         JOIN unnest($1::text[], $2::text[]) AS k(organization_id, user_id) USING (organization_id, user_id)
        WHERE l.ended_at IS NULL AND l.locked_until > $3`,
      [pairs.map(([organizationId]) => organizationId), pairs.map(([, userId]) => userId), new Date(this.now())],
    )) as { organization_id: string; user_id: string; locked_until: Date }[];
    const byKey = new Map(rows.map((row) => [`${row.organization_id}:${row.user_id}`, row.locked_until]));
    return memberKeys.map((key) => byKey.get(key) ?? null);
  }

  /**
   * Ends the lock-out of a member of the caller's organization (the resolver requires
   * `members:update`), and forgets their failures; answers whether one was in force. Someone
   * who is not a member of it is NOT_FOUND.
   */
  async unlock(principal: Principal, userId: string): Promise<boolean> {
    parseId('user', userId, 'userId');
    const member = (await this.dataSource.query('SELECT 1 FROM identity.organization_members WHERE organization_id = $1 AND user_id = $2', [
      principal.organizationId,
      userId,
    ])) as unknown[];
    if (member.length === 0) throw new NotFoundError('Member', userId, 'userId');
    await this.byMember.delete(`${principal.organizationId}:${userId}`).catch(() => undefined);
    return this.end(principal.organizationId, userId, 'by_admin', principal.userId);
  }

  async close(): Promise<void> {
    if (!this.redis) return;
    if (this.redis.status === 'wait' || this.redis.status === 'end') {
      this.redis.disconnect();
      return;
    }
    await this.redis.quit().catch(() => this.redis!.disconnect());
  }

  /** Ends an open lock-out and states it, once (two requests at once end it once). */
  private async end(organizationId: string, userId: string, reason: 'by_admin' | 'expired', byId: string | null): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `UPDATE identity.sign_in_lockouts
            SET ended_at = $3, ended_reason = CASE WHEN locked_until <= $3 THEN 'expired' ELSE $4 END,
                ended_by_id = CASE WHEN locked_until <= $3 THEN NULL ELSE $5 END
          WHERE organization_id = $1 AND user_id = $2 AND ended_at IS NULL RETURNING locked_until`,
        [organizationId, userId, new Date(this.now()), reason, byId],
      )) as [LockoutRow[], number];
      const ended = rows[0];
      if (!ended) return false;
      // An admin's unlock of a lock-out that had already run out is still its end, said as expired.
      const expired = ended.locked_until.getTime() <= this.now();
      await this.outbox.add(manager, {
        type: 'identity.user.unlocked',
        payload: { organizationId, userId, reason: expired ? 'expired' : reason, unlockedById: expired ? null : byId },
      });
      return !expired;
    });
  }
}
