import { expectError, expectNoErrors } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

const REPORT = 'mutation { reportLiveMetrics(input: { activeCalls: 2 }) { activeCalls } }';
const RECORD = `mutation($input: UsageRecordInput!) { recordUsage(input: $input) { counted record { quantity } } }`;
const QUOTA = `query($id: ID!) {
  organization(id: $id) {
    entitlements { feature used limit remaining allowed }
    subscription { id plan { code } usage { minutesUsed includedMinutes } }
  }
}`;
const UPGRADE =
  'mutation($id: ID!) { changeSubscriptionPlan(id: $id, planCode: PRO) { effective prorationCents subscription { plan { code } } } }';

interface Quota {
  organization: {
    entitlements: { feature: string; used: number; limit: number | null; remaining: number; allowed: boolean }[];
    subscription: { id: string; plan: { code: string }; usage: { minutesUsed: number; includedMinutes: number } };
  };
}

let supergraph: TestSupergraph;
let team: SeededOrganization;
let occurredAt: string;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  team = await supergraph.seed.org().create();
  // Billing puts the organization on Free when first asked; its usage counts from then.
  expectNoErrors(await supergraph.gateway(QUOTA, { id: team.organization.id }, { token: team.owner.token }));
  occurredAt = new Date().toISOString();
});
afterAll(async () => {
  await supergraph?.stop();
});

function minutes(quantity: number, key: string) {
  return {
    input: {
      organizationId: team.organization.id,
      metric: 'CALL_MINUTES',
      quantity,
      occurredAt,
      idempotencyKey: key,
    },
  };
}

describe('@requiresEntitlement across subgraphs', () => {
  it("refuses analytics' reportLiveMetrics past the Free plan's minutes, and lets it through on the next request after an upgrade", async () => {
    const token = team.owner.token;
    expectNoErrors(await supergraph.gateway(REPORT, undefined, { token }));

    expectNoErrors(await supergraph.gateway(RECORD, minutes(600, 'call-1'), { token }));
    expectNoErrors(await supergraph.gateway(RECORD, minutes(400, 'call-2'), { token }));
    const quota = expectNoErrors(await supergraph.gateway<Quota, { id: string }>(QUOTA, { id: team.organization.id }, { token }));
    expect(quota.organization.subscription.usage).toEqual({ minutesUsed: 1000, includedMinutes: 1000 });
    expect(quota.organization.entitlements.find((entitlement) => entitlement.feature === 'call_minutes')).toEqual({
      feature: 'call_minutes',
      used: 1000,
      limit: 1000,
      remaining: 0,
      allowed: false,
    });

    const refused = await supergraph.gateway(REPORT, undefined, { token });
    expect(expectError(refused, 'PAYMENT_REQUIRED').extensions).toMatchObject({ feature: 'call_minutes', used: 1000, limit: 1000 });

    const upgraded = expectNoErrors(
      await supergraph.gateway<
        { changeSubscriptionPlan: { effective: string; prorationCents: number; subscription: { plan: { code: string } } } },
        { id: string }
      >(UPGRADE, { id: quota.organization.subscription.id }, { token }),
    );
    expect(upgraded.changeSubscriptionPlan).toMatchObject({ effective: 'now', subscription: { plan: { code: 'PRO' } } });
    expect(upgraded.changeSubscriptionPlan.prorationCents).toBeGreaterThan(0);

    expect(expectNoErrors(await supergraph.gateway(REPORT, undefined, { token }))).toEqual({ reportLiveMetrics: { activeCalls: 2 } });
  });

  it('counts a retried usage record once', async () => {
    const token = team.owner.token;
    const first = expectNoErrors(
      await supergraph.gateway<{ recordUsage: { counted: boolean } }, unknown>(RECORD, minutes(5, 'retry-1'), { token }),
    );
    const again = expectNoErrors(
      await supergraph.gateway<{ recordUsage: { counted: boolean } }, unknown>(RECORD, minutes(5, 'retry-1'), { token }),
    );
    expect([first.recordUsage.counted, again.recordUsage.counted]).toEqual([true, false]);
    expectError(await supergraph.gateway(RECORD, minutes(6, 'retry-1'), { token }), 'CONFLICT');
  });
});
