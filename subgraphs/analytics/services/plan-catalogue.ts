/**
 * The plans as the product publishes them (the seed and the README's billing table): price
 * and what each includes per month, with the price of each unit beyond. Analytics never
 * reads billing's tables; it learns which plan an organization is on from billing's facts
 * (`billing.subscription.*`) and prices usage against this published list.
 */
export interface PublishedPlan {
  code: 'free' | 'pro' | 'enterprise';
  monthlyPriceCents: number;
  includedMinutes: number;
  includedAiCalls: number;
  /** Null: a hard limit (nothing beyond what is included is sold). */
  overageMinuteCents: number | null;
  overageAiCallCents: number | null;
}

export const PUBLISHED_PLANS: readonly PublishedPlan[] = [
  { code: 'free', monthlyPriceCents: 0, includedMinutes: 1_000, includedAiCalls: 100, overageMinuteCents: null, overageAiCallCents: null },
  { code: 'pro', monthlyPriceCents: 4_900, includedMinutes: 10_000, includedAiCalls: 1_000, overageMinuteCents: 2, overageAiCallCents: 5 },
  {
    code: 'enterprise',
    monthlyPriceCents: 49_900,
    includedMinutes: 100_000,
    includedAiCalls: 10_000,
    overageMinuteCents: 1,
    overageAiCallCents: 3,
  },
];

const MICROS_PER_CENT = 10_000n;

/** What a month of this usage costs on a plan, in micro-dollars; null when the plan's hard limit cannot hold it. */
export function monthlyCostMicros(plan: PublishedPlan, usage: { minutes: number; aiCalls: number }): bigint | null {
  const extraMinutes = Math.max(0, usage.minutes - plan.includedMinutes);
  const extraAi = Math.max(0, usage.aiCalls - plan.includedAiCalls);
  if ((extraMinutes > 0 && plan.overageMinuteCents === null) || (extraAi > 0 && plan.overageAiCallCents === null)) return null;
  const cents = plan.monthlyPriceCents + extraMinutes * (plan.overageMinuteCents ?? 0) + extraAi * (plan.overageAiCallCents ?? 0);
  return BigInt(cents) * MICROS_PER_CENT;
}

export function publishedPlan(code: string | null | undefined): PublishedPlan | undefined {
  return PUBLISHED_PLANS.find((plan) => plan.code === code);
}
