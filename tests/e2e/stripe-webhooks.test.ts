import Stripe from 'stripe';
import { expectNoErrors } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

const SECRET = 'whsec_test_auralink_billing';
const stripe = new Stripe('sk_test_unused');
const SUBSCRIPTION = 'query($id: ID!) { organization(id: $id) { subscription { id status } } }';

let supergraph: TestSupergraph;
let team: SeededOrganization;
let webhookUrl: string;
let subscriptionId: string;

beforeAll(async () => {
  supergraph = await startTestSupergraph({ STRIPE_WEBHOOK_SECRET: SECRET });
  team = await supergraph.seed.org().create();
  webhookUrl = new URL('/api/v1/billing/webhooks/stripe', supergraph.subgraphUrls.billing).toString();
  subscriptionId = (await status()).id;
});
afterAll(async () => {
  await supergraph?.stop();
});

async function status(): Promise<{ id: string; status: string }> {
  const data = expectNoErrors(
    await supergraph.gateway<{ organization: { subscription: { id: string; status: string } } }, { id: string }>(
      SUBSCRIPTION,
      { id: team.organization.id },
      { token: team.owner.token },
    ),
  );
  return data.organization.subscription;
}

function stripeEvent(id: string, type: string, object: Record<string, unknown>): string {
  return JSON.stringify({ id, object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), data: { object } });
}

async function post(payload: string, signature: string): Promise<{ status: number; body: { outcome?: string } }> {
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
  return { status: response.status, body: (await response.json()) as { outcome?: string } };
}

const sign = (payload: string, options: { secret?: string; timestamp?: number } = {}) =>
  stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? SECRET, timestamp: options.timestamp });

describe('Stripe webhooks on billing', () => {
  it('applies a signed payment failure once, ignores its replay, and refuses a bad or stale signature', async () => {
    const failed = stripeEvent('evt_failed_1', 'invoice.payment_failed', {
      object: 'invoice',
      id: 'in_1',
      metadata: { auralink_subscription_id: subscriptionId },
    });

    expect((await post(failed, sign(failed, { secret: 'whsec_someone_else' }))).status).toBe(400);
    expect((await post(failed, sign(failed, { timestamp: Math.floor(Date.now() / 1000) - 301 }))).status).toBe(400);
    expect((await status()).status).toBe('ACTIVE');

    expect(await post(failed, sign(failed))).toEqual({ status: 200, body: { received: true, outcome: 'applied' } });
    expect((await status()).status).toBe('PAST_DUE');

    const recovered = stripeEvent('evt_updated_1', 'customer.subscription.updated', {
      object: 'subscription',
      id: 'sub_stripe_1',
      status: 'active',
      metadata: { auralink_subscription_id: subscriptionId },
    });
    expect((await post(recovered, sign(recovered))).body.outcome).toBe('applied');
    expect((await status()).status).toBe('ACTIVE');

    expect((await post(failed, sign(failed))).body.outcome).toBe('duplicate');
    expect((await status()).status).toBe('ACTIVE');
    const facts = await supergraph.dataSources.billing.query(
      `SELECT payload->>'status' AS status, payload->>'stripeEventId' AS event FROM billing.outbox WHERE type = 'billing.subscription.status_changed' AND payload->>'subscriptionId' = $1 ORDER BY sequence`,
      [subscriptionId],
    );
    expect(facts).toEqual([
      { status: 'past_due', event: 'evt_failed_1' },
      { status: 'active', event: 'evt_updated_1' },
    ]);
  });

  it('cancels on customer.subscription.deleted', async () => {
    const deleted = stripeEvent('evt_deleted_1', 'customer.subscription.deleted', {
      object: 'subscription',
      id: 'sub_stripe_1',
      status: 'canceled',
      metadata: { auralink_subscription_id: subscriptionId },
    });
    expect((await post(deleted, sign(deleted))).body.outcome).toBe('applied');
    expect((await status()).status).toBe('CANCELED');
  });
});
