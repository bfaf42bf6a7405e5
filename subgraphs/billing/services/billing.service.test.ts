import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import type { AccessControl } from '../../../platform/authorization/access-control';
import { createDataSource } from '../../../platform/database';
import { InProcessEntitlementCounter } from '../../../platform/entitlements/entitlement-counter';
import { newId } from '../../../platform/ids';
import { applyOnce } from '../../../platform/outbox/consumer';
import type { AnyEvent } from '../../../platform/outbox/event-catalogue';
import { OutboxMessage } from '../../../platform/outbox/outbox-message.entity';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { usageReportedConsumer } from '../consumers/usage-reported.consumer';
import { Charge } from '../entities/charge.entity';
import { PlanCode } from '../entities/plan.entity';
import { SubscriptionStatus } from '../entities/subscription.entity';
import { UsageMetric } from '../entities/usage-record.entity';
import { billingSubgraph } from '..';
import { createBillingServices } from '.';
import type { BillingServices } from '.';

let database: TestDatabase;
let dataSource: DataSource;
let services: BillingServices;
const counter = new InProcessEntitlementCounter();

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(billingSubgraph.storage, {
    url: database.url,
    poolMax: 4,
    applicationName: 'billing-test',
  }).initialize();
  services = createBillingServices({ dataSource, access: { entitlements: counter } as unknown as AccessControl });
});
afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

function principalOf(organizationId: string) {
  return { userId: 'user_test', organizationId, sessionId: 'jti', expiresAt: new Date(Date.now() + 60_000) };
}

async function freshOrganization() {
  const organizationId = newId('organization');
  const principal = principalOf(organizationId);
  const subscription = await services.subscriptions.forOrganization(principal, organizationId);
  return { organizationId, principal, subscription };
}

async function factsOf(organizationId: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  const rows = await dataSource.getRepository(OutboxMessage).find({ order: { sequence: 'ASC' } });
  return rows
    .filter((row) => (row.payload as { organizationId?: string }).organizationId === organizationId)
    .map((row) => ({ type: row.type, payload: row.payload as Record<string, unknown> }));
}

async function chargedCents(organizationId: string): Promise<number> {
  const charges = await dataSource.getRepository(Charge).findBy({ organizationId });
  return charges.reduce((sum, charge) => sum + charge.amountCents, 0);
}

describe('plans', () => {
  it("are the seed's tiers with prices in minor units, overage prices, and a hard limit on Free", async () => {
    const plans = await services.plans.list();
    expect(
      plans.map(({ code, monthlyPriceCents, yearlyPriceCents, includedMinutes, includedAiCalls, overageMinuteCents, hardLimit }) => ({
        code,
        monthlyPriceCents,
        yearlyPriceCents,
        includedMinutes,
        includedAiCalls,
        overageMinuteCents,
        hardLimit,
      })),
    ).toEqual([
      {
        code: 'free',
        monthlyPriceCents: 0,
        yearlyPriceCents: 0,
        includedMinutes: 1000,
        includedAiCalls: 100,
        overageMinuteCents: 0,
        hardLimit: true,
      },
      {
        code: 'pro',
        monthlyPriceCents: 4900,
        yearlyPriceCents: 49000,
        includedMinutes: 10000,
        includedAiCalls: 1000,
        overageMinuteCents: 2,
        hardLimit: false,
      },
      {
        code: 'enterprise',
        monthlyPriceCents: 49900,
        yearlyPriceCents: 499000,
        includedMinutes: 100000,
        includedAiCalls: 10000,
        overageMinuteCents: 1,
        hardLimit: false,
      },
    ]);
  });
});

describe('subscriptions', () => {
  it('upgrades now with the prorated difference charged, downgrades at period end, and an upgrade back is not charged again', async () => {
    const { organizationId, principal, subscription } = await freshOrganization();
    const start = subscription.currentPeriodStart.getTime();
    const halfway = new Date(start + (subscription.currentPeriodEnd.getTime() - start) / 2);

    const up = await services.subscriptions.changePlan(principal, subscription.id, PlanCode.PRO, halfway);
    expect(up).toMatchObject({ effective: 'now', prorationCents: 2450, subscription: { plan: { code: 'pro' }, pendingPlan: null } });

    const down = await services.subscriptions.changePlan(principal, subscription.id, PlanCode.FREE, halfway);
    expect(down).toMatchObject({
      effective: 'period_end',
      prorationCents: 0,
      subscription: { plan: { code: 'pro' }, pendingPlan: { code: 'free' } },
    });

    const back = await services.subscriptions.changePlan(principal, subscription.id, PlanCode.PRO, halfway);
    expect(back).toMatchObject({ effective: 'now', prorationCents: 0, subscription: { plan: { code: 'pro' }, pendingPlan: null } });
    expect(await chargedCents(organizationId)).toBe(2450);
    expect((await factsOf(organizationId)).map((fact) => [fact.type, fact.payload.effective, fact.payload.prorationCents])).toEqual([
      ['billing.subscription.plan_changed', 'now', 2450],
      ['billing.subscription.plan_changed', 'period_end', 0],
      ['billing.subscription.plan_changed', 'now', 0],
    ]);
  });

  it('never charges more than the dearest plan reached costs over the cheapest, whatever upgrades and downgrades happen in one period', async () => {
    const prices: Record<PlanCode, number> = { free: 0, pro: 4900, enterprise: 49900 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(PlanCode.FREE, PlanCode.PRO, PlanCode.ENTERPRISE), fc.double({ min: 0, max: 1, noNaN: true })), {
          minLength: 1,
          maxLength: 6,
        }),
        async (changes) => {
          const { organizationId, principal, subscription } = await freshOrganization();
          const start = subscription.currentPeriodStart.getTime();
          const length = subscription.currentPeriodEnd.getTime() - start;
          const times = changes.map(([, at]) => at).sort((a, b) => a - b);
          let dearest = 0;
          for (const [index, [code]] of changes.entries()) {
            const change = await services.subscriptions.changePlan(
              principal,
              subscription.id,
              code,
              new Date(start + times[index] * length),
            );
            expect(change.prorationCents).toBeGreaterThanOrEqual(0);
            dearest = Math.max(dearest, prices[code]);
          }
          expect(await chargedCents(organizationId)).toBeLessThanOrEqual(dearest);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('keeps one live subscription per organization: a second is CONFLICT, after a cancellation a new one with a trial starts', async () => {
    const { organizationId, principal, subscription } = await freshOrganization();
    await expect(services.subscriptions.create(principal, { organizationId, planCode: PlanCode.PRO })).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });

    const later = await services.subscriptions.cancel(principal, subscription.id, true);
    expect(later).toMatchObject({ status: SubscriptionStatus.ACTIVE, cancelAtPeriodEnd: true });
    const ended = await services.subscriptions.cancel(principal, subscription.id, false);
    expect(ended.status).toBe(SubscriptionStatus.CANCELED);
    await expect(services.subscriptions.changePlan(principal, subscription.id, PlanCode.PRO)).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });

    const trial = await services.subscriptions.create(principal, { organizationId, planCode: PlanCode.PRO, trialDays: 14 });
    expect(trial).toMatchObject({ status: SubscriptionStatus.TRIALING, plan: { code: 'pro' } });
    expect(trial.trialEnd!.getTime() - trial.currentPeriodStart.getTime()).toBe(14 * 86_400_000);
    expect((await services.subscriptions.forOrganization(principal, organizationId)).id).toBe(trial.id);
    expect((await factsOf(organizationId)).map((fact) => fact.type)).toEqual([
      'billing.subscription.canceled',
      'billing.subscription.canceled',
      'billing.subscription.created',
    ]);
  });

  it("hides another organization's subscription", async () => {
    const { subscription } = await freshOrganization();
    await expect(services.subscriptions.get(principalOf(newId('organization')), subscription.id)).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
  });
});

describe('usage', () => {
  it('counts a key once, refuses it with other values, and records a batch all or nothing', async () => {
    const { organizationId } = await freshOrganization();
    const occurredAt = new Date();
    const use = { organizationId, metric: UsageMetric.AI_STT, quantity: 3, occurredAt, idempotencyKey: 'stt-1' };

    expect((await services.usage.record(use)).counted).toBe(true);
    expect((await services.usage.record(use)).counted).toBe(false);
    await expect(services.usage.record({ ...use, quantity: 4 })).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });

    const batch = [
      { ...use, metric: UsageMetric.AI_TTS, idempotencyKey: 'tts-1' },
      { ...use, metric: UsageMetric.AI_AGENTS, quantity: 9, idempotencyKey: 'stt-1' },
    ];
    await expect(services.usage.recordBatch(batch)).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    const counted = await services.usage.recordBatch([batch[0], use]);
    expect(counted.map((result) => result.counted)).toEqual([true, false]);

    const [subscription] = await services.subscriptions.currentFor([organizationId]);
    const summary = await services.quota.summary(subscription);
    expect(summary.allowances.find((line) => line.allowance === 'ai_calls')).toEqual({
      allowance: 'ai_calls',
      included: 100,
      used: 6,
      overage: 0,
      overageCents: 0,
    });
  });

  it('bills overage on a paid plan and raises each alert once a period, as outbox facts', async () => {
    const { organizationId, principal, subscription } = await freshOrganization();
    await services.subscriptions.changePlan(principal, subscription.id, PlanCode.PRO);
    const occurredAt = new Date();
    const minutes = (quantity: number, key: string) => ({
      organizationId,
      metric: UsageMetric.CALL_MINUTES,
      quantity,
      occurredAt,
      idempotencyKey: key,
    });

    await services.usage.record(minutes(8000, 'a'));
    await services.usage.record(minutes(1000, 'b'));
    await services.usage.record(minutes(1500, 'c'));

    const summary = await services.quota.summaryFor(principal, organizationId);
    expect(summary.allowances[0]).toEqual({ allowance: 'call_minutes', included: 10000, used: 10500, overage: 500, overageCents: 1000 });
    expect(summary.overageCents).toBe(1000);
    const alerts = (await factsOf(organizationId)).filter((fact) => fact.type === 'billing.usage.threshold_reached');
    expect(alerts.map((alert) => [alert.payload.allowance, alert.payload.threshold, alert.payload.used])).toEqual([
      ['call_minutes', 80, 8000],
      ['call_minutes', 100, 10500],
    ]);
    expect(await counter.get(organizationId, 'call_minutes')).toEqual({ used: 10500, limit: null });
  });

  it("counts another subgraph's usage.reported fact once, however often it is delivered", async () => {
    const { organizationId } = await freshOrganization();
    const consumer = usageReportedConsumer(services);
    const fact: AnyEvent = {
      id: newId('event'),
      type: 'usage.reported',
      source: 'analytics',
      sequence: 1,
      occurredAt: new Date(),
      payload: { organizationId, metric: 'call_minutes', quantity: 42, occurredAt: new Date().toISOString(), idempotencyKey: 'call_1' },
    };
    expect(await applyOnce(dataSource, consumer, fact)).toBe('applied');
    expect(await applyOnce(dataSource, consumer, fact)).toBe('duplicate');
    expect(await applyOnce(dataSource, consumer, { ...fact, id: newId('event') })).toBe('applied');

    const [subscription] = await services.subscriptions.currentFor([organizationId]);
    expect((await services.quota.liveUsage(subscription)).minutesUsed).toBe(42);
    expect(await counter.get(organizationId, 'call_minutes')).toEqual({ used: 42, limit: 1000 });
  });
});

describe('API calls', () => {
  it('counts the gateway’s reported partner calls as their own metric, against no allowance, and refuses them from clients', async () => {
    const { organizationId, principal, subscription } = await freshOrganization();
    const consumer = usageReportedConsumer(services);
    const report = (quantity: number, key: string): AnyEvent => ({
      id: newId('event'),
      type: 'usage.reported',
      source: 'gateway',
      sequence: 1,
      occurredAt: new Date(),
      payload: { organizationId, metric: 'api_calls', quantity, occurredAt: new Date().toISOString(), idempotencyKey: key },
    });
    expect(await applyOnce(dataSource, consumer, report(5, 'gateway:a:1:0:Plans'))).toBe('applied');
    expect(await applyOnce(dataSource, consumer, report(2, 'gateway:a:1:0:RestRoles'))).toBe('applied');
    // The same flush published again after a failure counts once.
    expect(await applyOnce(dataSource, consumer, report(5, 'gateway:a:1:0:Plans'))).toBe('applied');

    const summary = await services.quota.summary(subscription);
    expect(summary.metrics).toContainEqual({ metric: UsageMetric.API_CALLS, quantity: 7 });
    expect(summary.metrics).toContainEqual({ metric: UsageMetric.CALL_MINUTES, quantity: 0 });
    expect(summary.allowances.every((line) => line.used === 0)).toBe(true);

    await expect(
      services.usage.recordFor(principal, [
        { organizationId, metric: UsageMetric.API_CALLS, quantity: 1, occurredAt: new Date(), idempotencyKey: 'forged' },
      ]),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.metric' } });
  });
});

describe('invoices', () => {
  it('issues at period end what the preview showed, starts the next period with the waiting downgrade, and issues once', async () => {
    const { organizationId, principal, subscription } = await freshOrganization();
    const start = subscription.currentPeriodStart.getTime();
    const halfway = new Date(start + (subscription.currentPeriodEnd.getTime() - start) / 2);
    await services.subscriptions.changePlan(principal, subscription.id, PlanCode.PRO, halfway);
    await services.subscriptions.changePlan(principal, subscription.id, PlanCode.FREE, halfway);
    await services.usage.record({
      organizationId,
      metric: UsageMetric.CALL_MINUTES,
      quantity: 10_250,
      occurredAt: halfway,
      idempotencyKey: 'm',
    });

    const preview = await services.invoices.preview(principal, organizationId);
    expect(preview.lines.map((line) => [line.kind, line.quantity, line.amountCents])).toEqual([
      ['plan', 1, 4900],
      ['overage', 250, 500],
      ['proration', 1, 2450],
    ]);
    expect(preview).toMatchObject({ status: 'draft', subtotalCents: 7850, taxCents: 0, totalCents: 7850 });

    const issued = (await services.invoices.issueDue(subscription.currentPeriodEnd)).filter(
      (invoice) => invoice.organizationId === organizationId,
    );
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({ status: 'open', lines: preview.lines, totalCents: preview.totalCents });
    expect(await services.invoices.issueDue(subscription.currentPeriodEnd)).toEqual([]);

    const next = await services.subscriptions.forOrganization(principal, organizationId);
    expect(next).toMatchObject({ plan: { code: 'free' }, pendingPlan: null, currentPeriodStart: subscription.currentPeriodEnd });
    expect((await services.invoices.preview(principal, organizationId)).lines.map((line) => line.kind)).toEqual(['plan']);
    expect(await services.invoices.list(principal, organizationId, { first: 10, offset: 0 })).toHaveLength(1);

    const pdf = await services.invoices.pdf(issued[0]);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });
});
