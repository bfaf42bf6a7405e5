import { randomBytes } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Principal } from '../platform/auth/principal';
import { newId } from '../platform/ids';
import type { Logger } from '../platform/logger';
import type { AnyEvent } from '../platform/outbox/event-catalogue';
import type { EventTransport } from '../platform/outbox/transport';

/** Billing's `UsageMetric` value partner operation calls are reported as. */
export const API_CALLS_METRIC = 'api_calls';
/** How often the counts are reported by default. */
export const USAGE_FLUSH_MS = 10_000;
/** The most one usage record may count (billing refuses more). */
const MAX_QUANTITY = 1_000_000;

export interface UsageMeter {
  /** One call of a manifest operation by a partner's key of `organizationId`. */
  count(organizationId: string, operation: string): void;
  /** Reports what is counted; counts that could not be published stay for the next flush. */
  flush(): Promise<void>;
  /** Stops the timer and reports what is left (a clean shutdown loses nothing). */
  close(): Promise<void>;
}

export interface UsageMeterOptions {
  /** Where the facts go: the gateway's event transport (Redis Streams, or the process's own consumers). */
  transport: Pick<EventTransport, 'publish'>;
  logger: Logger;
  flushMs?: number;
  now?: () => Date;
}

/**
 * Partner operation calls, metered per organization and operation. The gateway has no
 * database and no outbox: it counts in memory and, every `flushMs` and on close, publishes
 * one `usage.reported` fact (metric `api_calls`) per organization and operation counted since
 * the last flush, straight to the event transport. Billing counts each once by its
 * idempotency key (this process's id, the flush's number and the operation), so a flush
 * published twice after a failure counts once. Nothing is written in a transaction and no
 * subgraph is called over HTTP.
 */
export function createUsageMeter(options: UsageMeterOptions): UsageMeter {
  const now = options.now ?? (() => new Date());
  const instance = randomBytes(6).toString('hex');
  let counts = new Map<string, { organizationId: string; operation: string; calls: number }>();
  let flushes = 0;
  let sequence = 0;
  /** A batch whose publication failed: sent again as it was (same keys) before anything newer. */
  let pending: AnyEvent[] | undefined;
  let running: Promise<void> | undefined;
  const timer = setInterval(() => void meter.flush(), options.flushMs ?? USAGE_FLUSH_MS);
  timer.unref();

  const eventsOf = (batch: typeof counts): AnyEvent[] => {
    flushes += 1;
    const occurredAt = now();
    return [...batch.values()].flatMap(({ organizationId, operation, calls }) => {
      const events: AnyEvent[] = [];
      for (let part = 0; calls > 0; part += 1) {
        const quantity = Math.min(calls, MAX_QUANTITY);
        calls -= quantity;
        sequence += 1;
        events.push({
          id: newId('event'),
          type: 'usage.reported',
          source: 'gateway',
          sequence,
          occurredAt,
          payload: {
            organizationId,
            metric: API_CALLS_METRIC,
            quantity,
            occurredAt: occurredAt.toISOString(),
            idempotencyKey: `gateway:${instance}:${flushes}:${part}:${operation}`,
          },
        });
      }
      return events;
    });
  };

  const publish = async (): Promise<void> => {
    if (!pending) {
      if (counts.size === 0) return;
      const batch = counts;
      counts = new Map();
      pending = eventsOf(batch);
    }
    const events = pending;
    try {
      await options.transport.publish(events);
      pending = undefined;
    } catch (error) {
      options.logger.warn({ err: error, facts: events.length }, 'API usage not reported yet: retrying at the next flush');
    }
  };

  const meter: UsageMeter = {
    count(organizationId, operation) {
      const key = `${organizationId}\u0000${operation}`;
      const counted = counts.get(key);
      if (counted) counted.calls += 1;
      else counts.set(key, { organizationId, operation, calls: 1 });
    },
    async flush() {
      // One flush at a time: the next waits for the one in flight, then reports what came since.
      while (running) await running;
      running = publish().finally(() => {
        running = undefined;
      });
      await running;
    },
    async close() {
      clearInterval(timer);
      await meter.flush();
      // What was counted while the last batch was published.
      if (counts.size > 0 || pending) await meter.flush();
    },
  };
  return meter;
}

/** Counts each call a partner's key (bound to manifest operations) makes of one of them, once it is executed. */
export function usageMeterPlugin<C extends BaseContext & { principal: Principal | null }>(meter: UsageMeter): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async executionDidStart({ contextValue, operationName }) {
          const principal = contextValue.principal;
          if (!principal?.apiKey?.operations || !operationName) return;
          meter.count(principal.organizationId, operationName);
        },
      };
    },
  };
}
