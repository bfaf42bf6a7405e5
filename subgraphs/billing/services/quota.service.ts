import type { Principal } from '../../../platform/auth/principal';
import type { EntitlementCounter } from '../../../platform/entitlements/entitlement-counter';
import type { EntitlementFeature } from '../../../platform/entitlements/entitlement-directive';
import type { Subscription } from '../entities/subscription.entity';
import { SubscriptionStatus } from '../entities/subscription.entity';
import type { UsageMetric } from '../entities/usage-record.entity';
import { allowanceUsage, entitlementStates } from './pricing';
import type { AllowanceUsage } from './pricing';
import { periodEnd } from './subscription.service';
import type { SubscriptionService } from './subscription.service';
import type { UsageService } from './usage.service';

export interface UsageSummary {
  organizationId: string;
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  allowances: AllowanceUsage[];
  /** Sum of the overage costs, minor units. */
  overageCents: number;
  /** What was metered, by metric (API calls too, which no allowance counts). */
  metrics: { metric: UsageMetric; quantity: number }[];
}

export interface LiveUsage {
  minutesUsed: number;
  includedMinutes: number;
  aiCallsUsed: number;
  includedAiCalls: number;
  storageGbUsed: number;
  includedStorageGb: number;
}

export interface Entitlement {
  feature: EntitlementFeature;
  included: number;
  used: number;
  /** The most the plan allows this period; null: no hard limit (overage is billed). */
  limit: number | null;
  /** What is left before the limit (or of what is included, with no limit); never negative. */
  remaining: number;
  allowed: boolean;
}

/** What an organization's plan includes, what it used, and the counters `@requiresEntitlement` reads. */
export class QuotaService {
  constructor(
    private readonly subscriptions: SubscriptionService,
    private readonly usage: () => UsageService,
    private readonly counter: EntitlementCounter,
  ) {}

  /** Included, used, overage and cost per allowance for the period of the current subscription that starts at `periodStart` (default: the current one). */
  async summary(subscription: Subscription, periodStart?: Date): Promise<UsageSummary> {
    const start = periodStart ?? subscription.currentPeriodStart;
    const end = periodStart ? periodEnd(periodStart, subscription.interval) : subscription.currentPeriodEnd;
    const [used, metrics] = await Promise.all([
      this.usage().usedBetween(subscription.organizationId, start, end),
      this.usage().byMetricBetween(subscription.organizationId, start, end),
    ]);
    const allowances = allowanceUsage(subscription.plan, used);
    return {
      organizationId: subscription.organizationId,
      periodStart: start,
      periodEnd: end,
      currency: subscription.plan.currency,
      allowances,
      overageCents: allowances.reduce((sum, line) => sum + line.overageCents, 0),
      metrics,
    };
  }

  /** `summary` of an organization's current subscription, for its own member. */
  async summaryFor(principal: Principal, organizationId: string, periodStart?: Date): Promise<UsageSummary> {
    return this.summary(await this.subscriptions.forOrganization(principal, organizationId), periodStart);
  }

  /** The live quota of the current period, as `BillingSubscription.usage` shows it. */
  async liveUsage(subscription: Subscription): Promise<LiveUsage> {
    const used = await this.usage().usedBetween(
      subscription.organizationId,
      subscription.currentPeriodStart,
      subscription.currentPeriodEnd,
    );
    const plan = subscription.plan;
    return {
      minutesUsed: used.call_minutes,
      includedMinutes: plan.includedMinutes,
      aiCallsUsed: used.ai_calls,
      includedAiCalls: plan.includedAiCalls,
      storageGbUsed: used.recording_storage,
      includedStorageGb: plan.includedStorageGb,
    };
  }

  /** Of the organization's current subscription. */
  async entitlementsOf(organizationId: string): Promise<Entitlement[]> {
    const [subscription] = await this.subscriptions.currentFor([organizationId]);
    return this.entitlements(subscription);
  }

  async entitlements(subscription: Subscription): Promise<Entitlement[]> {
    const used = await this.usage().usedBetween(
      subscription.organizationId,
      subscription.currentPeriodStart,
      subscription.currentPeriodEnd,
    );
    const states = entitlementStates(subscription.plan, used);
    const canceled = subscription.status === SubscriptionStatus.CANCELED;
    return allowanceUsage(subscription.plan, used).map(({ allowance, included }) => {
      const { limit } = states[allowance];
      const cap = canceled ? 0 : (limit ?? included);
      return {
        feature: allowance,
        included,
        used: used[allowance],
        limit: canceled ? 0 : limit,
        remaining: Math.max(0, cap - used[allowance]),
        allowed: !canceled && (limit === null || used[allowance] < limit),
      };
    });
  }

  /** Writes the organization's counters from its current subscription and this period's usage (after every change of either). */
  async refresh(organizationId: string): Promise<void> {
    const [subscription] = await this.subscriptions.currentFor([organizationId]);
    const entitlements = await this.entitlements(subscription);
    await this.counter.set(
      organizationId,
      Object.fromEntries(entitlements.map((entitlement) => [entitlement.feature, { used: entitlement.used, limit: entitlement.limit }])),
    );
  }
}
