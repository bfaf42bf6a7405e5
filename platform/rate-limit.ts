import type { IncomingMessage } from 'node:http';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Principal } from './auth/principal';
import type { Config } from './config';
import { RateLimitedError } from './errors';
import type { Logger } from './logger';

export type RateLimitSettings = Config['rateLimit'];

/** What the gateway asks before it serves a request, a WebSocket connection or an operation over it. */
export interface RateLimiter {
  /** The caller's address: the socket's, or the one the trusted proxies in front recorded. */
  clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>): string;
  /**
   * Charges one request to its caller: an anonymous one to its address, an authenticated
   * one to its user and to its organization. Throws RATE_LIMITED when a budget is spent.
   */
  admit(principal: Principal | null, address: string): Promise<void>;
  /** A refused token costs its address `failedAuthenticationCost` points; throws RATE_LIMITED when spent. */
  chargeFailedAuthentication(address: string): Promise<void>;
  /** Resolves once the Redis store answers or has failed once (then memory counts until it is back). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Budgets per window (`rateLimit.windowSeconds`): per address for anonymous callers and
 * refused tokens, per user and per organization for authenticated ones. With REDIS_URL
 * the counts live in Redis, so every gateway process spends the same budget (and one in
 * memory stands in while Redis does not answer); without it, each process counts alone.
 * A budget of 0 is no limit.
 */
export function createRateLimiter(settings: RateLimitSettings, redisUrl: string | undefined, logger: Logger): RateLimiter {
  const redis = redisUrl
    ? new Redis(redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
        // A request's charges (user and organization), and those of requests arriving together, go to Redis in one write.
        enableAutoPipelining: true,
      })
    : undefined;
  redis?.on('error', (error) => logger.warn({ err: error }, 'rate limit store: Redis error (counting in memory meanwhile)'));

  const budget = (name: string, points: number): RateLimiterAbstract | undefined => {
    if (points === 0) return undefined;
    const options = { keyPrefix: `${settings.keyPrefix}:${name}`, points, duration: settings.windowSeconds };
    const memory = new RateLimiterMemory(options);
    return redis ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory }) : memory;
  };
  const byAddress = budget('ip', settings.anonymous);
  const byUser = budget('user', settings.user);
  const byOrganization = budget('org', settings.organization);

  /** Spends each charge at once (one round trip to Redis); refused if any budget is spent, with the longest wait. */
  const spend = async (charges: [RateLimiterAbstract | undefined, string, number][]): Promise<void> => {
    const outcomes = await Promise.allSettled(charges.map(([limiter, key, points]) => limiter?.consume(key, points)));
    const refused = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' && outcome.reason instanceof RateLimiterRes ? [outcome.reason] : [],
    );
    for (const outcome of outcomes) {
      // The store failed with no stand-in: serve rather than refuse everyone.
      if (outcome.status === 'rejected' && !(outcome.reason instanceof RateLimiterRes))
        logger.error({ err: outcome.reason }, 'rate limit store failed');
    }
    if (refused.length === 0) return;
    // A refused request spends nothing else: one user over their budget does not spend their organization's.
    await Promise.all(
      charges.map(([limiter, key, points], index) =>
        outcomes[index]!.status === 'fulfilled' ? limiter?.reward(key, points).catch(() => undefined) : undefined,
      ),
    );
    throw new RateLimitedError(Math.max(1, Math.ceil(Math.max(...refused.map((res) => res.msBeforeNext)) / 1000)));
  };

  return {
    clientAddress: (req) => clientAddress(req, settings.trustedProxies),
    admit: (principal, address) =>
      principal
        ? spend([
            [byUser, principal.userId, 1],
            [byOrganization, principal.organizationId, 1],
          ])
        : spend([[byAddress, address, 1]]),
    chargeFailedAuthentication: (address) => spend([[byAddress, address, settings.failedAuthenticationCost]]),
    ready: () =>
      new Promise<void>((resolve) => {
        if (!redis || redis.status === 'ready') return resolve();
        redis.once('ready', resolve);
        redis.once('error', () => resolve());
      }),
    close: async () => {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * With no proxy in front, the socket's peer. Behind `trustedProxies` proxies that each
 * append the address they saw to X-Forwarded-For, the one the outermost proxy saw; entries
 * further left were written by the client and prove nothing.
 */
export function clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>, trustedProxies: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxies === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return forwarded.at(-trustedProxies) ?? forwarded[0] ?? peer;
}
