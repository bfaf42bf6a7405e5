import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import Redis from 'ioredis';
import type { Logger } from '../platform/logger';

/** Before Apollo Server's own `apq:`: the documents live at `auralink:apq:<sha256>` in Redis. */
const KEY_PREFIX = 'auralink:';
/** How long a registered document is kept after it was last registered. */
export const PERSISTED_QUERY_TTL_SECONDS = 24 * 60 * 60;
/** The longest query text the cache takes (QUERY_MAX_BYTES keeps real documents well below). */
const MAX_VALUE_BYTES = 1024 * 1024;

export interface PersistedQueryCache extends KeyValueCache<string> {
  close(): Promise<void>;
}

/**
 * The documents of automatic persisted queries in Redis, so a hash registered with one
 * gateway process is found by every other. Redis away: a lookup misses (the client sends
 * the document again, as the protocol has it) and a registration is dropped, both logged;
 * no request fails for it. Keys are the document's hash, so processes and deployments
 * sharing the Redis share the documents, which are the same text whoever registered them.
 */
export function redisPersistedQueryCache(redisUrl: string, logger: Logger): PersistedQueryCache {
  const redis = new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    enableAutoPipelining: true,
  });
  redis.on('error', (error) => logger.warn({ err: error }, 'persisted query cache: Redis error (lookups miss meanwhile)'));
  return {
    async get(key) {
      try {
        return (await redis.get(KEY_PREFIX + key)) ?? undefined;
      } catch (error) {
        logger.warn({ err: error }, 'persisted query cache: lookup failed');
        return undefined;
      }
    },
    async set(key, value, options?: KeyValueCacheSetOptions) {
      if (Buffer.byteLength(value) > MAX_VALUE_BYTES) return;
      const ttl = options?.ttl ?? PERSISTED_QUERY_TTL_SECONDS;
      try {
        await redis.set(KEY_PREFIX + key, value, 'EX', Math.max(1, Math.round(ttl)));
      } catch (error) {
        logger.warn({ err: error }, 'persisted query cache: registration failed');
      }
    },
    async delete(key) {
      try {
        return (await redis.del(KEY_PREFIX + key)) > 0;
      } catch {
        return false;
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
