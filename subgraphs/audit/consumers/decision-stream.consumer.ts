import Redis from 'ioredis';
import type { AccessDecisionEvent } from '../../../platform/authorization/decision-log';
import { BadUserInputError } from '../../../platform/errors';
import type { Logger } from '../../../platform/logger';
import type { AuditEventInput } from '../services/audit-event';
import type { IngestService } from '../services/ingest.service';

/** Audit's consumer group on the decision stream: each decision reaches one audit process. */
export const DECISION_CONSUMER_GROUP = 'audit.decisions';
const BATCH = 500;
const BLOCK_MS = 2_000;
/** A decision another audit process took and did not acknowledge in this long is taken over (it crashed). */
const CLAIM_IDLE_MS = 60_000;

type StreamEntries = [id: string, fields: string[]][];

/** A permission decision as an audit event; its id comes from the stream entry's, so a redelivery is recorded once. */
export function auditEventOfDecision(entryId: string, decision: AccessDecisionEvent): AuditEventInput {
  return {
    id: `aud_authz_${entryId.replace(/[^0-9]/g, '_')}`,
    organizationId: decision.organizationId,
    actor: { type: 'user', id: decision.userId, displayName: null },
    action: `authz.permission.${decision.allowed ? 'allow' : 'deny'}`,
    severity: decision.allowed ? 'info' : 'warning',
    outcome: decision.allowed ? 'success' : 'denied',
    targets: [{ type: 'permission', id: `${decision.resource}:${decision.action}` }],
    requestId: decision.requestId,
    request: { field: decision.field },
    metadata: { subgraph: decision.subgraph, resource: decision.resource, action: decision.action },
    source: 'authz.decisions',
    occurredAt: new Date(decision.at),
  };
}

/**
 * Reads `auralink:authz:decisions` (AUDIT_DECISION_STREAM) with a Redis consumer group and
 * records each decision; XACK only after the batch has committed, so a crash leaves the
 * entries pending, to be read again by this consumer on restart or claimed by another.
 */
export class DecisionStreamConsumer {
  private readonly redis: Redis;
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(
    redisUrl: string,
    private readonly stream: string,
    private readonly consumer: string,
    private readonly ingest: IngestService,
    private readonly logger: Logger,
  ) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null, retryStrategy: (attempt) => Math.min(attempt * 200, 2_000) });
    this.redis.on('error', (error) => this.logger.warn({ err: error }, 'decision stream: Redis error'));
  }

  async start(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.stream, DECISION_CONSUMER_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.stopped = true;
    this.redis.disconnect();
    await this.loop?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    // First what this consumer was handed before and never acknowledged, then what others left behind.
    await this.drain('0');
    await this.claimAbandoned();
    while (!this.stopped) {
      try {
        const read = (await this.redis.xreadgroup(
          'GROUP',
          DECISION_CONSUMER_GROUP,
          this.consumer,
          'COUNT',
          BATCH,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.stream,
          '>',
        )) as [string, StreamEntries][] | null;
        if (read?.[0]) await this.apply(read[0][1]);
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error }, 'decision stream: read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  private async drain(from: string): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const read = (await this.redis.xreadgroup(
        'GROUP',
        DECISION_CONSUMER_GROUP,
        this.consumer,
        'COUNT',
        BATCH,
        'STREAMS',
        this.stream,
        from,
      )) as [string, StreamEntries][] | null;
      const entries = read?.[0]?.[1] ?? [];
      if (entries.length === 0) return;
      await this.apply(entries);
    }
  }

  private async claimAbandoned(): Promise<void> {
    const [, entries] = (await this.redis.xautoclaim(
      this.stream,
      DECISION_CONSUMER_GROUP,
      this.consumer,
      CLAIM_IDLE_MS,
      '0',
      'COUNT',
      BATCH,
    )) as [string, StreamEntries];
    if (entries.length > 0) await this.apply(entries);
  }

  /** A batch with an event ingest refuses (BAD_USER_INPUT) is recorded one by one, leaving that one out, so it cannot block the stream. */
  private async record(events: AuditEventInput[]): Promise<void> {
    try {
      await this.ingest.record(events);
    } catch (error) {
      if (!(error instanceof BadUserInputError)) throw error;
      for (const event of events) {
        await this.ingest.record([event]).catch((refused: unknown) => {
          if (!(refused instanceof BadUserInputError)) throw refused;
          this.logger.warn({ err: refused, id: event.id }, 'decision stream: decision refused by ingest; skipped');
        });
      }
    }
  }

  private async apply(entries: StreamEntries): Promise<void> {
    const events: AuditEventInput[] = [];
    const unreadable: string[] = [];
    for (const [id, fields] of entries) {
      const index = fields.indexOf('event');
      try {
        const decision = JSON.parse(fields[index + 1] ?? '') as AccessDecisionEvent;
        if (decision.type !== 'authz.decision') throw new Error('not a decision');
        events.push(auditEventOfDecision(id, decision));
      } catch {
        unreadable.push(id);
      }
    }
    if (unreadable.length) this.logger.warn({ ids: unreadable }, 'decision stream: unreadable entries skipped');
    if (events.length > 0) await this.record(events);
    await this.redis.xack(this.stream, DECISION_CONSUMER_GROUP, ...entries.map(([id]) => id));
  }
}
