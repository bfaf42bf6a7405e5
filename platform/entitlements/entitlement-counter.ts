import Redis from 'ioredis';
import type { EntitlementFeature } from './entitlement-directive';

/** How much of a feature an organization has used this billing period, and the most its plan allows (null: no hard limit). */
export interface EntitlementState {
  used: number;
  limit: number | null;
}

/**
 * The cached counters `@requiresEntitlement` reads on every call: billing writes them after
 * each change of usage or plan, every subgraph reads them. In Redis (shared by every
 * process) with REDIS_URL, else in this process. An organization billing has not written
 * yet is allowed (billing writes it on its first usage).
 */
export interface EntitlementCounter {
  get(organizationId: string, feature: EntitlementFeature): Promise<EntitlementState | null>;
  set(organizationId: string, states: Partial<Record<EntitlementFeature, EntitlementState>>): Promise<void>;
  close(): Promise<void>;
}

export class InProcessEntitlementCounter implements EntitlementCounter {
  private readonly states = new Map<string, EntitlementState>();

  async get(organizationId: string, feature: EntitlementFeature): Promise<EntitlementState | null> {
    return this.states.get(`${organizationId}\u0000${feature}`) ?? null;
  }

  async set(organizationId: string, states: Partial<Record<EntitlementFeature, EntitlementState>>): Promise<void> {
    for (const [feature, state] of Object.entries(states)) this.states.set(`${organizationId}\u0000${feature}`, { ...state! });
  }

  async close(): Promise<void> {}
}

/** One hash per organization, `<prefix>:entitlements:<organizationId>`, a field per feature holding `used/limit` (`-` for no limit). */
export class RedisEntitlementCounter implements EntitlementCounter {
  private readonly redis: Redis;

  constructor(
    redisUrl: string,
    private readonly prefix = 'auralink',
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
  }

  private key(organizationId: string): string {
    return `${this.prefix}:entitlements:${organizationId}`;
  }

  async get(organizationId: string, feature: EntitlementFeature): Promise<EntitlementState | null> {
    const value = await this.redis.hget(this.key(organizationId), feature);
    if (!value) return null;
    const [used, limit] = value.split('/');
    return { used: Number(used), limit: limit === '-' ? null : Number(limit) };
  }

  async set(organizationId: string, states: Partial<Record<EntitlementFeature, EntitlementState>>): Promise<void> {
    const fields = Object.entries(states).flatMap(([feature, state]) => [feature, `${state!.used}/${state!.limit ?? '-'}`]);
    if (fields.length > 0) await this.redis.hset(this.key(organizationId), ...fields);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
