import { EventEmitter } from 'node:events';
import { PubSub } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import Redis from 'ioredis';
import { decodeEvent, encodeEvent } from './event-json';
import type { Logger } from './logger';

/**
 * Live events between the subgraph that causes them and the ones serving subscriptions:
 * Redis pub/sub across processes (graphql-redis-subscriptions over ioredis), or an
 * in-process bus when REDIS_URL is unset. Topics carry the organization
 * (`metrics.<org id>`), so a subscriber only ever listens to its own organization.
 * Payloads go through JSON on both (event-json.ts): a subscriber gets the same values,
 * dates included, whichever bus carried them.
 */
export interface EventBus {
  publish(topic: string, payload: unknown): Promise<void>;
  /** Listening starts on the iterator's first `next()`: events published before are not seen. */
  subscribe<T>(topic: string): AsyncIterableIterator<T>;
  close(): Promise<void>;
}

export function organizationTopic(kind: string, organizationId: string): string {
  return `${kind}.${organizationId}`;
}

export function createEventBus(redisUrl: string | undefined, logger: Logger): EventBus {
  if (!redisUrl) {
    // One listener per subscription: thousands are expected, not a leak.
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    const pubsub = new PubSub<Record<string, unknown>>({ eventEmitter: emitter });
    return {
      publish: (topic, payload) => pubsub.publish(topic, decodeEvent(encodeEvent(payload))),
      subscribe: <T>(topic: string) => pubsub.asyncIterableIterator<T>(topic),
      close: async () => {},
    };
  }
  const connect = (role: string) => {
    const client = new Redis(redisUrl, { maxRetriesPerRequest: null, retryStrategy: (attempt) => Math.min(attempt * 200, 2000) });
    client.on('error', (error) => logger.warn({ err: error, role }, 'event bus: Redis error'));
    return client;
  };
  const pubsub = new RedisPubSub({
    publisher: connect('publisher'),
    subscriber: connect('subscriber'),
    serializer: encodeEvent,
    deserializer: (source) => decodeEvent(source.toString()),
  });
  return {
    publish: (topic, payload) => pubsub.publish(topic, payload),
    subscribe: <T>(topic: string) => pubsub.asyncIterableIterator(topic) as AsyncIterableIterator<T>,
    close: async () => {
      pubsub.getPublisher().disconnect();
      pubsub.getSubscriber().disconnect();
    },
  };
}
