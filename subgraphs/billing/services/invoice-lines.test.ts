import fc from 'fast-check';
import type { Plan } from '../entities/plan.entity';
import { PlanCode } from '../entities/plan.entity';
import { BillingInterval } from '../entities/subscription.entity';
import { invoiceTotals } from './invoice-lines';

const plan = fc.record({
  monthlyPriceCents: fc.nat(1_000_000),
  yearlyPriceCents: fc.nat(10_000_000),
  includedMinutes: fc.nat(100_000),
  includedAiCalls: fc.nat(10_000),
  includedStorageGb: fc.nat(1_000),
  overageMinuteCents: fc.nat(100),
  overageAiCallCents: fc.nat(100),
  overageStorageGbCents: fc.nat(1_000),
  hardLimit: fc.boolean(),
});

describe('invoice totals', () => {
  it('equal the sum of the lines plus tax, and are never negative', () => {
    fc.assert(
      fc.property(
        plan,
        fc.constantFrom(BillingInterval.MONTHLY, BillingInterval.YEARLY),
        fc.boolean(),
        fc.record({ call_minutes: fc.nat(1_000_000), ai_calls: fc.nat(100_000), recording_storage: fc.nat(10_000) }),
        fc.array(fc.record({ description: fc.string(), amountCents: fc.nat(1_000_000) }), { maxLength: 4 }),
        fc.nat(10_000),
        (terms, interval, trial, used, charges, taxRateBps) => {
          const totals = invoiceTotals({
            plan: { ...terms, id: 'plan_x', code: PlanCode.PRO, name: 'X', currency: 'usd', createdAt: new Date() } as Plan,
            interval,
            trial,
            used,
            charges,
            taxRateBps,
          });
          expect(totals.subtotalCents).toBe(totals.lines.reduce((sum, line) => sum + line.amountCents, 0));
          expect(totals.totalCents).toBe(totals.subtotalCents + totals.taxCents);
          for (const line of totals.lines) {
            expect(line.amountCents).toBeGreaterThanOrEqual(0);
            expect(line.amountCents).toBe(line.quantity * line.unitCents);
          }
          expect(totals.taxCents).toBeGreaterThanOrEqual(0);
          expect(totals.lines.filter((line) => line.kind === 'plan')).toHaveLength(1);
        },
      ),
    );
  });
});
