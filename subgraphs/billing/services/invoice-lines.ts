import type { InvoiceLine } from '../entities/invoice.entity';
import type { Plan } from '../entities/plan.entity';
import type { BillingInterval } from '../entities/subscription.entity';
import { allowanceUsage, periodPrice } from './pricing';
import type { EntitlementFeature } from '../../../platform/entitlements/entitlement-directive';

const UNIT: Record<EntitlementFeature, string> = { call_minutes: 'call minutes', ai_calls: 'AI calls', recording_storage: 'recording GB' };

export interface InvoiceTotals {
  lines: InvoiceLine[];
  subtotalCents: number;
  taxCents: number;
  totalCents: number;
}

/**
 * The lines and totals of one period: the plan's price (nothing during a trial), one line per
 * allowance used beyond what is included, and the prorated charges of upgrades. Tax is
 * `taxRateBps` basis points of the subtotal, rounded down.
 */
export function invoiceTotals(input: {
  plan: Plan;
  interval: BillingInterval;
  trial: boolean;
  used: Partial<Record<EntitlementFeature, number>>;
  charges: { description: string; amountCents: number }[];
  taxRateBps: number;
}): InvoiceTotals {
  const planPrice = input.trial ? 0 : periodPrice(input.plan, input.interval);
  const lines: InvoiceLine[] = [
    {
      kind: 'plan',
      description: `${input.plan.name} plan, ${input.interval}${input.trial ? ' (trial)' : ''}`,
      quantity: 1,
      unitCents: planPrice,
      amountCents: planPrice,
    },
  ];
  for (const usage of allowanceUsage(input.plan, input.used)) {
    if (usage.overage === 0) continue;
    lines.push({
      kind: 'overage',
      description: `${UNIT[usage.allowance]} beyond the ${usage.included} included`,
      quantity: usage.overage,
      unitCents: usage.overageCents / usage.overage,
      amountCents: usage.overageCents,
    });
  }
  for (const charge of input.charges) {
    lines.push({
      kind: 'proration',
      description: charge.description,
      quantity: 1,
      unitCents: charge.amountCents,
      amountCents: charge.amountCents,
    });
  }
  const subtotalCents = lines.reduce((sum, line) => sum + line.amountCents, 0);
  const taxCents = Math.floor((subtotalCents * input.taxRateBps) / 10_000);
  return { lines, subtotalCents, taxCents, totalCents: subtotalCents + taxCents };
}
