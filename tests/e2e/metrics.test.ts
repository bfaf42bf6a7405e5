import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';
import { createLogger } from '../../platform/logger';
import { createMetrics, withRefusalCounts } from '../../platform/metrics';
import { operationManifest } from '../../platform/operation-manifest';
import { createRateLimiter } from '../../platform/rate-limit';
import { loadConfig } from '../../platform/config';

const TOKEN = 'metrics-token-metrics-token-metrics-token';
let supergraph: TestSupergraph;
let acme: SeededOrganization;

beforeAll(async () => {
  supergraph = await startTestSupergraph({ METRICS_TOKEN: TOKEN });
  acme = await supergraph.seed.org({ name: 'Metrics Acme' }).create();
}, 120_000);
afterAll(async () => {
  await supergraph?.stop();
});

const scrape = async (url: string, token: string | undefined = TOKEN) =>
  fetch(new URL('/metrics', url), { headers: token ? { authorization: `Bearer ${token}` } : {} });

/** The value of one sample of the Prometheus text, by metric name and labels (all of them given). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (wanted.every(([key, value]) => found[key] === value) && Object.keys(found).length === wanted.length) return Number(match[3]);
  }
  return undefined;
}

describe('Prometheus metrics', () => {
  it('counts the gateway’s requests by manifest operation and outcome, and its fetches by subgraph', async () => {
    const plans = operationManifest().operations.find((operation) => operation.name === 'Plans')!;
    const post = (body: unknown, token?: string) =>
      fetch(supergraph.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const before = await (await scrape(supergraph.gatewayUrl)).text();
    const count = (text: string, operation: string, outcome: string) =>
      sample(text, 'auralink_graphql_requests_total', { operation, outcome, component: 'gateway' }) ?? 0;
    await post({ documentId: plans.id });
    await post({ documentId: plans.id });
    await post({ query: '{ me { id } }' }, acme.owner.token);
    await post({ query: '{ organization(id: "org_none") { name } }' }, acme.owner.token);
    await post({ query: '{ me { id } }' }, 'not-a-token');
    const response = await scrape(supergraph.gatewayUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const after = await response.text();
    expect(count(after, 'Plans', 'success') - count(before, 'Plans', 'success')).toBe(2);
    // Free-form documents are counted under "other", never by a name a client chose.
    expect(count(after, 'other', 'success') - count(before, 'other', 'success')).toBeGreaterThanOrEqual(1);
    expect(after).not.toContain('operation="organization"');
    expect(
      sample(after, 'auralink_subgraph_fetch_duration_seconds_count', { subgraph: 'billing', outcome: 'ok', component: 'gateway' }),
    ).toBeGreaterThanOrEqual(2);
    expect(after).toMatch(/^auralink_subscriptions_open\{component="gateway"\} \d+$/m);
    expect(after).toMatch(/^process_cpu_user_seconds_total\{component="gateway"\} /m);
  });

  it('serves each subgraph’s own metrics', async () => {
    const text = await (await scrape(supergraph.subgraphUrls.billing)).text();
    expect(text).toMatch(/auralink_graphql_requests_total\{operation="other",outcome="success",component="billing"\} [1-9]/);
    expect(text).not.toContain('component="gateway"');
  });

  it('asks scrapers for METRICS_TOKEN, and is not served in production without one', async () => {
    expect((await scrape(supergraph.gatewayUrl, '')).status).toBe(401);
    expect((await scrape(supergraph.gatewayUrl, 'wrong-token-wrong-token-wrong-token-wrong')).status).toBe(401);
    const production = createMetrics('gateway', { production: true });
    const served = await new Promise<number>((resolve) => {
      production.handle({ headers: {} } as never, { writeHead: (status: number) => resolve(status), end: () => undefined } as never);
    });
    expect(served).toBe(404);
  });

  it('counts the rate limiter’s refusals', async () => {
    const config = loadConfig({ RATE_LIMIT_ANONYMOUS: '1', RATE_LIMIT_KEY_PREFIX: `metrics-test-${Date.now()}` });
    const metrics = createMetrics('gateway', { production: false });
    const limiter = withRefusalCounts(createRateLimiter(config.rateLimit, undefined, createLogger('silent')), metrics);
    await limiter.admit(null, '203.0.113.9');
    await expect(limiter.admit(null, '203.0.113.9')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    await expect(limiter.chargeFailedAuthentication('203.0.113.9')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    const text = await metrics.registry.metrics();
    expect(sample(text, 'auralink_rate_limit_refusals_total', { reason: 'request', component: 'gateway' })).toBe(1);
    expect(sample(text, 'auralink_rate_limit_refusals_total', { reason: 'authentication', component: 'gateway' })).toBe(1);
    await limiter.close();
  });
});
