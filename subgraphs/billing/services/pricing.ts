import type { EntitlementFeature } from '../../../platform/entitlements/entitlement-directive';
import type { EntitlementState } from '../../../platform/entitlements/entitlement-counter';
import type { Plan } from '../entities/plan.entity';
import { BillingInterval } from '../entities/subscription.entity';
import { UsageMetric } from '../entities/usage-record.entity';

/** Which allowance each metric counts against: AI calls of every feature share one; API calls count against none. */
export const ALLOWANCE_OF_METRIC: Record<UsageMetric, EntitlementFeature | null> = {
  [UsageMetric.CALL_MINUTES]: 'call_minutes',
  [UsageMetric.AI_STT]: 'ai_calls',
  [UsageMetric.AI_TTS]: 'ai_calls',
  [UsageMetric.AI_AGENTS]: 'ai_calls',
  [UsageMetric.RECORDING_STORAGE_GB]: 'recording_storage',
  [UsageMetric.API_CALLS]: null,
};

/** What a plan includes of an allowance each period, and the price of each unit beyond it (minor units). */
export function allowanceTerms(plan: Plan, allowance: EntitlementFeature): { included: number; overageUnitCents: number } {
  switch (allowance) {
    case 'call_minutes':
      return { included: plan.includedMinutes, overageUnitCents: plan.overageMinuteCents };
    case 'ai_calls':
      return { included: plan.includedAiCalls, overageUnitCents: plan.overageAiCallCents };
    case 'recording_storage':
      return { included: plan.includedStorageGb, overageUnitCents: plan.overageStorageGbCents };
  }
}

export const ALLOWANCES: readonly EntitlementFeature[] = ['call_minutes', 'ai_calls', 'recording_storage'];

export interface AllowanceUsage {
  allowance: EntitlementFeature;
  included: number;
  used: number;
  /** Units beyond what is included (0 on a hard-limited plan: none is sold). */
  overage: number;
  /** `overage` × the plan's unit price, in minor units. */
  overageCents: number;
}

/** Included, used, overage and its cost for each allowance, from usage summed by allowance. */
export function allowanceUsage(plan: Plan, used: Partial<Record<EntitlementFeature, number>>): AllowanceUsage[] {
  return ALLOWANCES.map((allowance) => {
    const { included, overageUnitCents } = allowanceTerms(plan, allowance);
    const count = used[allowance] ?? 0;
    const overage = plan.hardLimit ? 0 : Math.max(0, count - included);
    return { allowance, included, used: count, overage, overageCents: overage * overageUnitCents };
  });
}

/** The counters `@requiresEntitlement` reads: a hard-limited plan stops at what it includes. */
export function entitlementStates(
  plan: Plan,
  used: Partial<Record<EntitlementFeature, number>>,
): Record<EntitlementFeature, EntitlementState> {
  const states = {} as Record<EntitlementFeature, EntitlementState>;
  for (const allowance of ALLOWANCES) {
    states[allowance] = { used: used[allowance] ?? 0, limit: plan.hardLimit ? allowanceTerms(plan, allowance).included : null };
  }
  return states;
}

export function periodPrice(plan: Pick<Plan, 'monthlyPriceCents' | 'yearlyPriceCents'>, interval: BillingInterval): number {
  return interval === BillingInterval.YEARLY ? plan.yearlyPriceCents : plan.monthlyPriceCents;
}

/**
 * The share of a price difference still owed for the rest of the period at `at`, in minor
 * units, rounded down (never more than the exact share); 0 for a cheaper plan or outside the period.
 */
export function prorate(differenceCents: number, periodStart: Date, periodEnd: Date, at: Date): number {
  const length = periodEnd.getTime() - periodStart.getTime();
  const remaining = Math.min(length, Math.max(0, periodEnd.getTime() - at.getTime()));
  if (differenceCents <= 0 || length <= 0) return 0;
  return Math.floor((differenceCents * remaining) / length);
}
