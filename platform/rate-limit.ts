import type { IncomingMessage } from 'node:http';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Principal } from './auth/principal';
import type { Config } from './config';
import { RateLimitedError } from './errors';
import type { ApiKeyBudget } from './errors';
import type { Logger } from './logger';

export type RateLimitSettings = Config['rateLimit'];

/** Distinct API key budget sizes kept as limiters at once (sizes are few: each key's is one of its settings). */
const MAX_KEY_BUDGETS = 1_000;

/**
 * rate-limiter-flexible's counting script (`RateLimiterRedis`'s `incrTtlLuaScript`), run for
 * each key of one call: KEYS are the counters, ARGV[1] the window in seconds, ARGV[1 + n]
 * the points for KEYS[n]. Each counter changes exactly as that limiter's own call changes it.
 */
const CONSUME_EACH = `local answers = {}
for index, key in ipairs(KEYS) do
  redis.call('set', key, 0, 'EX', ARGV[1], 'NX')
  local consumed = redis.call('incrby', key, ARGV[index + 1])
  local ttl = redis.call('pttl', key)
  if ttl == -1 then
    redis.call('expire', key, ARGV[1])
    ttl = 1000 * ARGV[1]
  end
  answers[index] = {consumed, ttl}
end
return answers`;

type ConsumeEach = (keyCount: number, ...keysThenArguments: (string | number)[]) => Promise<[number, number][]>;

/** What the gateway asks before it serves a request, a WebSocket connection or an operation over it. */
export interface RateLimiter {
  /** The caller's address: the socket's, or the one the trusted proxies in front recorded. */
  clientAddress(req: Pick<IncomingMessage, 'headers' | 'socket'>): string;
  /**
   * Charges one request to its caller: an anonymous one to its address, an authenticated
   * one to its user and to its organization, and one with an API key to the key's own
   * request budget too. Throws RATE_LIMITED when a budget is spent.
   */
  admit(principal: Principal | null, address: string): Promise<void>;
  /**
   * Charges an operation's cost to the API key's cost budget (nothing without a key or its
   * limits); throws RATE_LIMITED with `reason: API_KEY_COST` when it is spent.
   */
  chargeCost(principal: Principal | null, cost: number): Promise<void>;
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
 * A budget of 0 is no limit. An API key's own budgets (`principal.apiKey.limits`: requests
 * and operation cost per window) are counted under the key's id, in the same store.
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
  redis?.defineCommand('auralinkConsumeEach', { lua: CONSUME_EACH });
  const consumeEach = redis
    ? ((redis as unknown as { auralinkConsumeEach: ConsumeEach }).auralinkConsumeEach.bind(redis) as ConsumeEach)
    : undefined;

  /** The limiters that count in Redis, whose counters `consumeEach` may count together, and the memory standing in for each. */
  const standIns = new WeakMap<RateLimiterAbstract, RateLimiterMemory>();
  const budget = (name: string, points: number): RateLimiterAbstract | undefined => {
    if (points === 0) return undefined;
    const options = { keyPrefix: `${settings.keyPrefix}:${name}`, points, duration: settings.windowSeconds };
    const memory = new RateLimiterMemory(options);
    if (!redis) return memory;
    const limiter = new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory });
    standIns.set(limiter, memory);
    return limiter;
  };
  const byAddress = budget('ip', settings.anonymous);
  const byUser = budget('user', settings.user);
  const byOrganization = budget('org', settings.organization);

  /**
   * Each key's budget is its own: one limiter per budget size, all counting under the same
   * prefix, so a key whose budget changes keeps the count it has in Redis.
   */
  const keyBudgets = new Map<string, RateLimiterAbstract>();
  const keyBudget = (name: 'key' | 'cost', points: number): RateLimiterAbstract => {
    const id = `${name}:${points}`;
    let limiter = keyBudgets.get(id);
    if (!limiter) {
      limiter = budget(name, points)!;
      if (keyBudgets.size >= MAX_KEY_BUDGETS) keyBudgets.delete(keyBudgets.keys().next().value!);
      keyBudgets.set(id, limiter);
    }
    return limiter;
  };

  interface Charge {
    limiter: RateLimiterAbstract | undefined;
    key: string;
    points: number;
    /** Named in the refusal when this budget is the one spent. */
    reason?: ApiKeyBudget;
  }

  /** Spends each charge at once; refused if any budget is spent, with the longest wait. */
  const spend = async (charges: Charge[]): Promise<void> => {
    const counted = charges.filter((charge): charge is Charge & { limiter: RateLimiterAbstract } => charge.limiter !== undefined);
    if (counted.length === 0) return;
    const together = consumeEach && redis!.status === 'ready' && counted.every(({ limiter }) => standIns.has(limiter));
    const outcomes = together ? await spendTogether(counted) : await spendEach(counted);
    const refused = outcomes.flatMap((outcome, index) =>
      outcome instanceof RateLimiterRes ? [{ res: outcome, charge: counted[index]! }] : [],
    );
    if (refused.length === 0) return;
    // A refused request spends nothing else: one user over their budget does not spend their organization's.
    await Promise.all(
      counted.map(({ limiter, key, points }, index) =>
        outcomes[index] === 'spent' ? limiter.reward(key, points).catch(() => undefined) : undefined,
      ),
    );
    const longest = refused.reduce((a, b) => (b.res.msBeforeNext > a.res.msBeforeNext ? b : a));
    throw new RateLimitedError(Math.max(1, Math.ceil(longest.res.msBeforeNext / 1000)), longest.charge.reason);
  };

  /**
   * Each charge: 'spent'; the refusal when its budget is spent; 'uncounted' when the store
   * failed with no stand-in (then served rather than refuse everyone).
   */
  type Outcome = 'spent' | 'uncounted' | RateLimiterRes;

  /** Each charge through its own limiter (memory, or Redis with its memory stand-in). */
  const spendEach = async (charges: (Charge & { limiter: RateLimiterAbstract })[]): Promise<Outcome[]> => {
    const settled = await Promise.allSettled(charges.map(({ limiter, key, points }) => limiter.consume(key, points)));
    return settled.map((outcome) => {
      if (outcome.status === 'fulfilled') return 'spent';
      if (outcome.reason instanceof RateLimiterRes) return outcome.reason;
      logger.error({ err: outcome.reason }, 'rate limit store failed');
      return 'uncounted';
    });
  };

  /**
   * All of a request's counters in one script call: the same counts as each limiter's own call
   * (see CONSUME_EACH), in a single command instead of one a counter. Redis failing, the
   * memory stand-ins count this request, as each limiter's own call falls back to them.
   */
  const spendTogether = async (charges: (Charge & { limiter: RateLimiterAbstract })[]): Promise<Outcome[]> => {
    let answers: [number, number][];
    try {
      answers = await consumeEach!(
        charges.length,
        ...charges.map(({ limiter, key }) => limiter.getKey(key)),
        settings.windowSeconds,
        ...charges.map(({ points }) => points),
      );
    } catch {
      return spendEach(charges.map((charge) => ({ ...charge, limiter: standIns.get(charge.limiter)! })));
    }
    return charges.map(({ limiter }, index) => {
      const [consumed, ttl] = answers[index]!;
      return consumed <= limiter.points ? 'spent' : new RateLimiterRes(0, ttl, consumed);
    });
  };

  const keyRequests = (principal: Principal): Charge[] => {
    const limits = principal.apiKey?.limits;
    if (!limits) return [];
    return [{ limiter: keyBudget('key', limits.requestsPerWindow), key: principal.apiKey!.id, points: 1, reason: 'API_KEY_REQUESTS' }];
  };

  return {
    clientAddress: (req) => clientAddress(req, settings.trustedProxies),
    admit: (principal, address) =>
      principal
        ? spend([
            { limiter: byUser, key: principal.userId, points: 1 },
            { limiter: byOrganization, key: principal.organizationId, points: 1 },
            ...keyRequests(principal),
          ])
        : spend([{ limiter: byAddress, key: address, points: 1 }]),
    chargeCost: async (principal, cost) => {
      const limits = principal?.apiKey?.limits;
      if (!limits || cost <= 0) return;
      await spend([{ limiter: keyBudget('cost', limits.costPerWindow), key: principal!.apiKey!.id, points: cost, reason: 'API_KEY_COST' }]);
    },
    chargeFailedAuthentication: (address) => spend([{ limiter: byAddress, key: address, points: settings.failedAuthenticationCost }]),
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
