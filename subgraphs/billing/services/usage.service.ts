import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import type { EntitlementFeature } from '../../../platform/entitlements/entitlement-directive';
import { BadUserInputError, ConflictError } from '../../../platform/errors';
import type { EventBus } from '../../../platform/events';
import { organizationTopic } from '../../../platform/events';
import { newId } from '../../../platform/ids';
import type { Outbox } from '../../../platform/outbox/outbox';
import type { Subscription } from '../entities/subscription.entity';
import { UsageAlert } from '../entities/usage-alert.entity';
import { UsageMetric, UsageRecord } from '../entities/usage-record.entity';
import { ALLOWANCES, ALLOWANCE_OF_METRIC, allowanceTerms } from './pricing';
import type { SubscriptionService } from './subscription.service';

export interface UsageInput {
  organizationId: string;
  metric: UsageMetric;
  quantity: number;
  occurredAt: Date;
  idempotencyKey: string;
}

/** What recording did: the record as stored, and whether this call counted it (false: the key was counted before). */
export interface RecordedUsage {
  record: UsageRecord;
  counted: boolean;
}

/** An alert at 80% or 100% of what the plan includes, as `usageAlerts` sends it. */
export interface UsageAlertFact {
  organizationId: string;
  allowance: EntitlementFeature;
  threshold: number;
  used: number;
  included: number;
  periodStart: Date;
}

export const USAGE_ALERT_THRESHOLDS = [80, 100] as const;
export const MAX_USAGE_BATCH = 500;
const MAX_QUANTITY = 1_000_000;

export function usageAlertTopic(organizationId: string): string {
  return organizationTopic('usage-alerts', organizationId);
}

/**
 * Metered usage: each `(organization, idempotencyKey)` counts once; the same key again with
 * other values is CONFLICT. Crossing 80% or 100% of an allowance raises an alert once per
 * period (an outbox fact and a live event).
 */
export class UsageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly subscriptions: SubscriptionService,
    private readonly outbox: Outbox,
    private readonly events: EventBus | null,
    private readonly afterChange: (organizationId: string) => Promise<void> = async () => {},
  ) {}

  /** A caller's records: each in their token's organization (another is FORBIDDEN); API calls are the gateway's to report. */
  async recordFor(principal: Principal, inputs: readonly UsageInput[]): Promise<RecordedUsage[]> {
    inputs.forEach((input, index) => {
      const at = inputs.length > 1 ? `input.${index}` : 'input';
      assertOwnOrganization(principal, input.organizationId, `${at}.organizationId`);
      if (input.metric === UsageMetric.API_CALLS) {
        throw new BadUserInputError(`${at}.metric: API_CALLS is metered by the gateway, not recorded by clients`, `${at}.metric`);
      }
    });
    return this.recordBatch(inputs);
  }

  async record(input: UsageInput): Promise<RecordedUsage> {
    const [result] = await this.recordBatch([input]);
    return result;
  }

  /** Records in one transaction: all counted (or recognised as counted before), or none when one key conflicts. */
  async recordBatch(inputs: readonly UsageInput[]): Promise<RecordedUsage[]> {
    if (inputs.length === 0) return [];
    if (inputs.length > MAX_USAGE_BATCH) throw new BadUserInputError(`At most ${MAX_USAGE_BATCH} usage records at once`, 'input');
    inputs.forEach(validateUsage);
    const organizations = [...new Set(inputs.map((input) => input.organizationId))];
    await this.subscriptions.currentFor(organizations);
    const { results, alerts } = await this.dataSource.transaction((manager) => this.recordIn(manager, inputs));
    await this.settle(organizations, results, alerts);
    return results;
  }

  /** The same, inside a transaction someone else holds (the consumer of `usage.reported`); call `settle` after it commits. */
  async recordIn(manager: EntityManager, inputs: readonly UsageInput[]): Promise<{ results: RecordedUsage[]; alerts: UsageAlertFact[] }> {
    const rows = inputs.map((input) => ({ id: newId('usageRecord'), ...input }));
    // Inserted in key order, so concurrent batches sharing keys lock them in the same order (no deadlock).
    const inKeyOrder = [...rows].sort((a, b) => compare(a.organizationId, b.organizationId) || compare(a.idempotencyKey, b.idempotencyKey));
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(UsageRecord)
      .values(inKeyOrder)
      .orIgnore()
      .returning(['id'])
      .execute();
    const insertedIds = new Set((inserted.raw as { id: string }[]).map((row) => row.id));
    const existing = await manager
      .createQueryBuilder(UsageRecord, 'record')
      .where(
        '(record.organization_id, record.idempotency_key) IN (SELECT * FROM unnest(CAST(:organizations AS varchar[]), CAST(:keys AS varchar[])))',
        {
          organizations: inputs.map((input) => input.organizationId),
          keys: inputs.map((input) => input.idempotencyKey),
        },
      )
      .getMany();
    const byKey = new Map(existing.map((record) => [`${record.organizationId}\u0000${record.idempotencyKey}`, record]));
    const results = rows.map((row, index) => {
      const record = byKey.get(`${row.organizationId}\u0000${row.idempotencyKey}`)!;
      const input = inputs[index];
      if (
        record.metric !== input.metric ||
        record.quantity !== input.quantity ||
        record.occurredAt.getTime() !== input.occurredAt.getTime()
      ) {
        throw new ConflictError(
          `idempotencyKey "${input.idempotencyKey}" was already used for other usage (${record.metric} × ${record.quantity} at ${record.occurredAt.toISOString()})`,
          'idempotencyKey',
        );
      }
      return { record, counted: insertedIds.has(row.id) && record.id === row.id };
    });
    const counted = results.filter((result) => result.counted);
    const alerts =
      counted.length > 0 ? await this.raiseAlerts(manager, [...new Set(counted.map((result) => result.record.organizationId))]) : [];
    return { results, alerts };
  }

  /** After the commit: live alerts and fresh entitlement counters. */
  async settle(organizationIds: readonly string[], results: readonly RecordedUsage[], alerts: readonly UsageAlertFact[]): Promise<void> {
    for (const alert of alerts) await this.events?.publish(usageAlertTopic(alert.organizationId), alert);
    const changed = new Set(results.filter((result) => result.counted).map((result) => result.record.organizationId));
    for (const organizationId of organizationIds) if (changed.has(organizationId)) await this.afterChange(organizationId);
  }

  /** Live alerts of one organization (the subscription `usageAlerts`). */
  alerts(organizationId: string): AsyncIterableIterator<UsageAlertFact> {
    if (!this.events) throw new Error('usage alerts need the event bus');
    return this.events.subscribe<UsageAlertFact>(usageAlertTopic(organizationId));
  }

  /** Usage of each allowance in `[start, end)` (by when it occurred). */
  async usedBetween(
    organizationId: string,
    start: Date,
    end: Date,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Record<EntitlementFeature, number>> {
    const rows: { metric: UsageMetric; total: string }[] = await manager
      .createQueryBuilder(UsageRecord, 'record')
      .select('record.metric', 'metric')
      .addSelect('SUM(record.quantity)', 'total')
      .where('record.organization_id = :organizationId AND record.occurred_at >= :start AND record.occurred_at < :end', {
        organizationId,
        start,
        end,
      })
      .groupBy('record.metric')
      .getRawMany();
    const used = { call_minutes: 0, ai_calls: 0, recording_storage: 0 } as Record<EntitlementFeature, number>;
    for (const row of rows) {
      const allowance = ALLOWANCE_OF_METRIC[row.metric];
      if (allowance) used[allowance] += Number(row.total);
    }
    return used;
  }

  /** Usage of each metric in `[start, end)` (by when it occurred), every metric listed. */
  async byMetricBetween(organizationId: string, start: Date, end: Date): Promise<{ metric: UsageMetric; quantity: number }[]> {
    const rows: { metric: UsageMetric; total: string }[] = await this.dataSource.manager
      .createQueryBuilder(UsageRecord, 'record')
      .select('record.metric', 'metric')
      .addSelect('SUM(record.quantity)', 'total')
      .where('record.organization_id = :organizationId AND record.occurred_at >= :start AND record.occurred_at < :end', {
        organizationId,
        start,
        end,
      })
      .groupBy('record.metric')
      .getRawMany();
    const totals = new Map(rows.map((row) => [row.metric, Number(row.total)]));
    return Object.values(UsageMetric).map((metric) => ({ metric, quantity: totals.get(metric) ?? 0 }));
  }

  /** Alerts newly crossed by each organization's usage this period, each written once (the `usage_alerts` row) with its outbox fact. */
  private async raiseAlerts(manager: EntityManager, organizationIds: string[]): Promise<UsageAlertFact[]> {
    const raised: UsageAlertFact[] = [];
    const live = await this.subscriptions.liveOf(organizationIds, manager);
    for (const subscription of live.sort((a, b) => compare(a.organizationId, b.organizationId))) {
      const used = await this.usedBetween(
        subscription.organizationId,
        subscription.currentPeriodStart,
        subscription.currentPeriodEnd,
        manager,
      );
      for (const alert of crossedThresholds(subscription, used)) {
        const inserted = await manager
          .createQueryBuilder()
          .insert()
          .into(UsageAlert)
          .values({
            organizationId: alert.organizationId,
            periodStart: alert.periodStart,
            allowance: alert.allowance,
            threshold: alert.threshold,
          })
          .orIgnore()
          .returning(['threshold'])
          .execute();
        if ((inserted.raw as unknown[]).length === 0) continue;
        await this.outbox.add(manager, {
          type: 'billing.usage.threshold_reached',
          payload: { ...alert, periodStart: alert.periodStart.toISOString() },
        });
        raised.push(alert);
      }
    }
    return raised;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function crossedThresholds(subscription: Subscription, used: Record<EntitlementFeature, number>): UsageAlertFact[] {
  return ALLOWANCES.flatMap((allowance) => {
    const { included } = allowanceTerms(subscription.plan, allowance);
    if (included <= 0) return [];
    return USAGE_ALERT_THRESHOLDS.filter((threshold) => used[allowance] * 100 >= included * threshold).map((threshold) => ({
      organizationId: subscription.organizationId,
      allowance,
      threshold,
      used: used[allowance],
      included,
      periodStart: subscription.currentPeriodStart,
    }));
  });
}

/** BAD_USER_INPUT for a record that cannot be counted. */
export function validateUsage(input: UsageInput): void {
  if (!Object.values(UsageMetric).includes(input.metric))
    throw new BadUserInputError(`metric: "${String(input.metric)}" is not a usage metric`, 'metric');
  if (!Number.isInteger(input.quantity) || input.quantity <= 0 || input.quantity > MAX_QUANTITY) {
    throw new BadUserInputError(`quantity: a whole number from 1 to ${MAX_QUANTITY}`, 'quantity');
  }
  if (!(input.occurredAt instanceof Date) || Number.isNaN(input.occurredAt.getTime()))
    throw new BadUserInputError('occurredAt: not a date', 'occurredAt');
  if (!input.idempotencyKey || input.idempotencyKey.length > 200)
    throw new BadUserInputError('idempotencyKey: 1 to 200 characters', 'idempotencyKey');
}
