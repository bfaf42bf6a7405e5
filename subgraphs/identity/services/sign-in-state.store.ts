import Redis from 'ioredis';

/**
 * What a sign-in started with (OIDC state, nonce and PKCE verifier; a SAML request id), kept
 * server-side for a few minutes and taken once: the callback that presents it uses it up, so
 * a replayed callback finds nothing; and what was seen once (a SAML assertion id). In Redis when REDIS_URL is set, so any identity process
 * may answer the callback; in this process's memory without it.
 */
export interface SignInStateStore {
  put(key: string, value: object, ttlMs: number): Promise<void>;
  /** The value, removed in the same step; undefined when unknown, used or expired. */
  take<T>(key: string): Promise<T | undefined>;
  /** Notes `key` for `ttlMs`: true the first time, false while it is noted (a second use). */
  claim(key: string, ttlMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** At most this many sign-ins may be under way in one process's memory; the oldest goes first. */
const MEMORY_CAPACITY = 10_000;

export function createSignInStateStore(redisUrl: string | undefined, keyPrefix: string): SignInStateStore {
  return redisUrl ? new RedisSignInStateStore(redisUrl, keyPrefix) : new MemorySignInStateStore();
}

export class MemorySignInStateStore implements SignInStateStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async put(key: string, value: object, ttlMs: number): Promise<void> {
    if (this.entries.size >= MEMORY_CAPACITY) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value: JSON.stringify(value), expiresAt: this.now() + ttlMs });
  }

  async take<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    return JSON.parse(entry.value) as T;
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > this.now()) return false;
    await this.put(key, {}, ttlMs);
    return true;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

export class RedisSignInStateStore implements SignInStateStore {
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly keyPrefix: string,
  ) {
    // Connected on first use: most processes that build identity's services never start a sign-in.
    this.redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    this.redis.on('error', () => undefined);
  }

  async put(key: string, value: object, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.keyPrefix}:${key}`, JSON.stringify(value), 'PX', ttlMs);
  }

  async take<T>(key: string): Promise<T | undefined> {
    const value = await this.redis.getdel(`${this.keyPrefix}:${key}`);
    return value === null ? undefined : (JSON.parse(value) as T);
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.keyPrefix}:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async close(): Promise<void> {
    if (this.redis.status === 'wait' || this.redis.status === 'end') {
      this.redis.disconnect();
      return;
    }
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
