import type { DataSource, EntityManager } from 'typeorm';
import { In, IsNull } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, ConflictError } from '../../../platform/errors';
import type { NewEvent } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';
import { AiUsageEvent } from '../entities/ai-usage-event.entity';
import { AiFeature, BILLING_METRIC_OF_FEATURE, listCostMicros, priceOf } from './ai-price-list';
import { INGEST_LIMITS, checkBatch, checkExternalId, checkModel, checkNumber, checkTime, fieldOf } from './ingest-validation';
import { recordUsersSeen } from './users-seen';
import { timeRange } from './time-range';

export interface AiUsageInput {
  id: string;
  feature: AiFeature;
  model: string;
  userId?: string | null;
  callId?: string | null;
  tokens?: number | null;
  seconds?: number | null;
  /** Integer micro-dollars; absent: priced from the list by `analytics.calculate-ai-costs`. */
  costMicros?: number | null;
  occurredAt: Date;
}

export enum AiUsageGrouping {
  FEATURE = 'feature',
  MODEL = 'model',
  USER = 'user',
  DAY = 'day',
}

/** The SQL of each grouping's key: a fixed list, never the caller's text. */
const GROUP_KEY: Record<AiUsageGrouping, string> = {
  [AiUsageGrouping.FEATURE]: 'feature',
  [AiUsageGrouping.MODEL]: "feature || '/' || model",
  [AiUsageGrouping.USER]: "coalesce(user_id, '')",
  [AiUsageGrouping.DAY]: "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
};

export interface AiUsageGroup {
  key: string;
  events: number;
  tokens: number;
  seconds: number;
  costMicros: bigint;
  unpricedEvents: number;
}

export interface AiUsageReport {
  organizationId: string;
  from: Date;
  to: Date;
  groupBy: AiUsageGrouping;
  events: number;
  totalCostMicros: bigint;
  groups: AiUsageGroup[];
}

/** The most groups a report answers (the costliest first). */
export const MAX_AI_USAGE_GROUPS = 500;

/** The key billing counts an AI event under. */
export function aiUsageKey(id: string): string {
  return `analytics:ai:${id}`;
}

/**
 * AI usage events, one at a time or up to 500 at once (all or none). An id counts once per
 * organization (the same again answers what is stored; other values: CONFLICT). Each new
 * event is one AI call for billing (`usage.reported`, by feature), in its transaction.
 */
export class AiUsageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly afterChange: (organizationId: string) => Promise<void> = async () => {},
  ) {}

  async record(principal: Principal, inputs: readonly AiUsageInput[]): Promise<AiUsageEvent[]> {
    checkBatch(inputs.length);
    const now = new Date();
    const batch = inputs.length > 1;
    const organizationId = principal.organizationId;
    const rows = inputs.map((input, index) => validate(input, organizationId, now, (name) => fieldOf(index, batch, name)));
    const ids = new Set<string>();
    rows.forEach((row, index) => {
      if (ids.has(row.id))
        throw new BadUserInputError(`${fieldOf(index, batch, 'id')}: "${row.id}" twice in one batch`, fieldOf(index, batch, 'id'));
      ids.add(row.id);
    });
    const stored = await this.dataSource.transaction(async (manager) => {
      const ordered = [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
      const result = await manager.createQueryBuilder().insert().into(AiUsageEvent).values(ordered).orIgnore().returning(['id']).execute();
      const inserted = new Set((result.raw as { id: string }[]).map((row) => row.id));
      const existing = await manager.getRepository(AiUsageEvent).findBy({ organizationId, id: In([...ids]) });
      const byId = new Map(existing.map((row) => [row.id, row]));
      rows.forEach((row, index) => {
        if (!inserted.has(row.id)) assertSame(byId.get(row.id)!, row, batch ? `input.${index}` : 'input');
      });
      const fresh = ordered.filter((row) => inserted.has(row.id));
      await this.outbox.addMany(manager, fresh.map(usageFact));
      await recordUsersSeen(
        manager,
        organizationId,
        fresh.filter((row) => row.userId).map((row) => ({ users: [row.userId!], at: row.occurredAt })),
      );
      return rows.map((row) => byId.get(row.id)!);
    });
    await this.afterChange(organizationId);
    return stored;
  }

  /**
   * AI uses made by analytics itself (the recording jobs), in the caller's transaction: each new
   * id is stored and reported to billing (`usage.reported`) with the change that caused it; an id
   * already stored counts nothing again. Answers the ids stored now.
   */
  async recordWithin(manager: EntityManager, organizationId: string, inputs: readonly AiUsageInput[]): Promise<Set<string>> {
    if (inputs.length === 0) return new Set();
    const now = new Date();
    const rows = inputs.map((input, index) => validate(input, organizationId, now, (name) => fieldOf(index, inputs.length > 1, name)));
    const ordered = [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
    const result = await manager.createQueryBuilder().insert().into(AiUsageEvent).values(ordered).orIgnore().returning(['id']).execute();
    const inserted = new Set((result.raw as { id: string }[]).map((row) => row.id));
    await this.outbox.addMany(manager, ordered.filter((row) => inserted.has(row.id)).map(usageFact));
    return inserted;
  }

  /** Tells the live figures that AI usage changed (after the commit of `recordWithin`). */
  async changed(organizationId: string): Promise<void> {
    await this.afterChange(organizationId);
  }

  /** Use and cost in [from, to) (default the last 30 days), by feature, model, user or UTC day. */
  async report(
    principal: Principal,
    organizationId: string,
    range: { from?: Date | null; to?: Date | null },
    groupBy: AiUsageGrouping,
  ): Promise<AiUsageReport> {
    assertOwnOrganization(principal, organizationId);
    const { from, to } = timeRange(range.from, range.to, 30 * 86_400_000);
    const key = GROUP_KEY[groupBy];
    if (!key) throw new BadUserInputError('groupBy: one of FEATURE, MODEL, USER, DAY', 'groupBy');
    const rows = (await this.dataSource.query(
      `SELECT ${key} AS key, count(*)::int AS events, coalesce(sum(tokens), 0)::bigint AS tokens, coalesce(sum(seconds), 0)::float8 AS seconds,
              coalesce(sum(cost_micros), 0)::bigint AS cost, (count(*) FILTER (WHERE cost_micros IS NULL))::int AS unpriced
         FROM analytics.ai_usage_events
        WHERE organization_id = $1 AND occurred_at >= $2 AND occurred_at < $3
        GROUP BY 1 ORDER BY cost DESC, key LIMIT ${MAX_AI_USAGE_GROUPS}`,
      [organizationId, from, to],
    )) as { key: string; events: number; tokens: string; seconds: number; cost: string; unpriced: number }[];
    const groups = rows.map((row) => ({
      key: row.key,
      events: row.events,
      tokens: Number(row.tokens),
      seconds: row.seconds,
      costMicros: BigInt(row.cost),
      unpricedEvents: row.unpriced,
    }));
    if (groupBy === AiUsageGrouping.DAY) groups.sort((a, b) => (a.key < b.key ? -1 : 1));
    return {
      organizationId,
      from,
      to,
      groupBy,
      events: groups.reduce((sum, group) => sum + group.events, 0),
      totalCostMicros: groups.reduce((sum, group) => sum + group.costMicros, 0n),
      groups,
    };
  }

  /**
   * Prices events that came without a cost, from the list (the job `analytics.calculate-ai-costs`),
   * in batches of `batchSize`; answers how many it priced and how many the list cannot price.
   */
  async priceUnpriced(
    options: { organizationId?: string; batchSize?: number; signal?: AbortSignal } = {},
  ): Promise<{ priced: number; unpriceable: number }> {
    const batchSize = options.batchSize ?? 1_000;
    let priced = 0;
    let unpriceable = 0;
    let after: { occurredAt: Date; organizationId: string; id: string } | null = null;
    for (;;) {
      if (options.signal?.aborted) break;
      const query = this.dataSource
        .getRepository(AiUsageEvent)
        .createQueryBuilder('event')
        .where('event.cost_micros IS NULL')
        .orderBy('event.occurred_at')
        .addOrderBy('event.organization_id')
        .addOrderBy('event.id')
        .limit(batchSize);
      if (options.organizationId) query.andWhere('event.organization_id = :organizationId', { organizationId: options.organizationId });
      if (after) {
        query.andWhere('(event.occurred_at, event.organization_id, event.id) > (:occurredAt, :afterOrganization, :afterId)', {
          occurredAt: after.occurredAt,
          afterOrganization: after.organizationId,
          afterId: after.id,
        });
      }
      const events = await query.getMany();
      if (events.length === 0) break;
      await this.dataSource.transaction(async (manager) => {
        for (const event of events) {
          const price = priceOf(event.feature, event.model);
          const cost = price ? listCostMicros(price, event) : undefined;
          if (cost === undefined) {
            unpriceable += 1;
            continue;
          }
          await manager.update(
            AiUsageEvent,
            { organizationId: event.organizationId, id: event.id, costMicros: IsNull() },
            { costMicros: String(cost) },
          );
          priced += 1;
        }
      });
      const last = events[events.length - 1];
      after = { occurredAt: last.occurredAt, organizationId: last.organizationId, id: last.id };
      if (events.length < batchSize) break;
    }
    return { priced, unpriceable };
  }
}

function validate(
  input: AiUsageInput,
  organizationId: string,
  now: Date,
  field: (name: string) => string,
): Partial<AiUsageEvent> & { id: string; occurredAt: Date; userId: string | null } {
  const id = checkExternalId(input.id, field('id'));
  if (!Object.values(AiFeature).includes(input.feature)) {
    throw new BadUserInputError(`${field('feature')}: one of ${Object.values(AiFeature).join(', ')}`, field('feature'));
  }
  const tokens = input.tokens == null ? null : checkNumber(input.tokens, field('tokens'), INGEST_LIMITS.maxTokens, { integer: true });
  const seconds = input.seconds == null ? null : checkNumber(input.seconds, field('seconds'), INGEST_LIMITS.maxSeconds);
  if (tokens === null && seconds === null) throw new BadUserInputError(`${field('tokens')}: send tokens or seconds`, field('tokens'));
  const cost =
    input.costMicros == null
      ? null
      : String(checkNumber(input.costMicros, field('costMicros'), INGEST_LIMITS.maxCostMicros, { integer: true }));
  return {
    organizationId,
    id,
    feature: input.feature,
    model: checkModel(input.model, field('model')),
    userId: input.userId == null ? null : checkExternalId(input.userId, field('userId')),
    callId: input.callId == null ? null : checkExternalId(input.callId, field('callId')),
    tokens,
    seconds,
    reportedCostMicros: cost,
    costMicros: cost,
    occurredAt: checkTime(input.occurredAt, field('occurredAt'), now),
  };
}

function assertSame(existing: AiUsageEvent, row: Partial<AiUsageEvent>, field: string): void {
  const same =
    existing.feature === row.feature &&
    existing.model === row.model &&
    existing.userId === row.userId &&
    existing.callId === row.callId &&
    existing.tokens === row.tokens &&
    existing.seconds === row.seconds &&
    existing.reportedCostMicros === row.reportedCostMicros &&
    existing.occurredAt.getTime() === row.occurredAt!.getTime();
  if (!same) throw new ConflictError(`${field}.id: AI usage "${existing.id}" was already recorded with other values`, `${field}.id`);
}

function usageFact(row: Partial<AiUsageEvent>): NewEvent {
  return {
    type: 'usage.reported',
    payload: {
      organizationId: row.organizationId!,
      metric: BILLING_METRIC_OF_FEATURE[row.feature as AiFeature],
      quantity: 1,
      occurredAt: row.occurredAt!.toISOString(),
      idempotencyKey: aiUsageKey(row.id!),
    },
  };
}
