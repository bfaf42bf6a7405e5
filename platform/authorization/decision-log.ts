import { EventEmitter } from 'node:events';
import Redis from 'ioredis';
import type { Logger } from '../logger';

/** One permission decision, as written to the decision stream. */
export interface AccessDecisionEvent {
  type: 'authz.decision';
  allowed: boolean;
  userId: string;
  organizationId: string;
  resource: string;
  action: string;
  /** What was asked for: `Mutation.inviteMember`, `Organization.subscription`. */
  field: string;
  subgraph: string;
  requestId: string;
  at: string;
}

export type DecisionLogMode = 'denied' | 'all';

/** Where decisions go. `record` never blocks the request and never throws. */
export interface DecisionLog {
  readonly mode: DecisionLogMode;
  record(event: AccessDecisionEvent): void;
  close(): Promise<void>;
}

/** The Redis stream of decisions, for the audit log to read; capped so an absent reader cannot fill Redis. */
export const DECISION_STREAM = 'auralink:authz:decisions';
const STREAM_MAX_LENGTH = 100_000;

/** Appends each decision to a Redis stream, where the audit subgraph reads it (consumers/decision-stream.consumer.ts). */
export class RedisDecisionLog implements DecisionLog {
  private readonly redis: Redis;

  constructor(
    redisUrl: string,
    readonly mode: DecisionLogMode,
    private readonly logger: Logger,
    /** The stream's key (AUDIT_DECISION_STREAM; tests give each run its own). */
    readonly stream: string = DECISION_STREAM,
  ) {
    this.redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 2 });
    this.redis.on('error', (error) => this.logger.warn({ err: error }, 'decision log: Redis error'));
  }

  record(event: AccessDecisionEvent): void {
    this.redis
      .xadd(this.stream, 'MAXLEN', '~', String(STREAM_MAX_LENGTH), '*', 'event', JSON.stringify(event))
      .catch((error: unknown) => this.logger.warn({ err: error, event }, 'decision log: could not append'));
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** Within one process (no REDIS_URL): listeners get each decision as it happens. */
export class InProcessDecisionLog implements DecisionLog {
  private readonly events = new EventEmitter();

  constructor(readonly mode: DecisionLogMode) {}

  record(event: AccessDecisionEvent): void {
    this.events.emit('decision', event);
  }

  onDecision(listener: (event: AccessDecisionEvent) => void): () => void {
    this.events.on('decision', listener);
    return () => this.events.off('decision', listener);
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }
}
