import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { API_SCHEMA_PATH } from '../../gateway/schema-paths';
import { operationCost } from '../../platform/limits/cost-rule';
import { operationManifest } from '../../platform/operation-manifest';
import { expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import { gatewayProcessEnv } from '../kit/gateway-process';
import { unique } from '../kit/seed';
import type { SeededOrganization } from '../kit/seed';
import { startSubgraphProcess } from '../kit/subgraph-process';
import type { SubgraphProcess } from '../kit/subgraph-process';
import { TEST_REDIS_URL, startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

/**
 * Two gateway processes (bin/serve.ts gateway, as production runs them) in front of one set
 * of subgraphs, sharing Redis: one user's burst is cut to their budget across both, an API
 * key's own budgets bind across both, an automatic persisted query registered with one is
 * found by the other, each plans the manifest at start-up, and partner calls reach billing
 * as usage, the last of them on a clean shutdown.
 */
const USER_BUDGET = 50;
const BURST = 1_000;
const PLANS = operationManifest().operations.find((operation) => operation.name === 'Plans')!;

let supergraph: TestSupergraph;
let first: SubgraphProcess;
let second: SubgraphProcess;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(url: string, body: unknown, token?: string): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Answer['body'] };
}

/** `count` requests, `concurrency` at a time, the n-th to `urls[n % urls.length]`. */
async function burst(count: number, urls: string[], send: (url: string) => Promise<Answer>, concurrency = 32): Promise<Answer[]> {
  const answers: Answer[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < count) {
        const url = urls[started % urls.length]!;
        started += 1;
        answers.push(await send(url));
      }
    }),
  );
  return answers;
}

const statuses = (answers: Answer[]) =>
  answers.reduce<Record<number, number>>((counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});

function expectRateLimited(answer: Answer, reason?: string): void {
  expect(answer.status).toBe(429);
  expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', ...(reason ? { reason } : {}) });
  const seconds = Number(answer.retryAfter);
  expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= supergraph.config.rateLimit.windowSeconds).toBe(true);
}

/** A counter's value in a gateway's /metrics (0 when it has no such series yet). */
async function counter(gateway: SubgraphProcess, name: string, label: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', gateway.url))).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{`) && candidate.includes(label));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function partnerKey(organization: SeededOrganization, input: Record<string, unknown>): Promise<string> {
  const created = expectNoErrors(
    await supergraph.gateway<{ createApiKey: { secret: string } }, { input: Record<string, unknown> }>(
      'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { requestsPerWindow costPerWindow } } }',
      { input: { name: `Partner ${unique()}`, operations: ['Plans'], ...input } },
      { token: organization.owner.token },
    ),
  );
  return created.createApiKey.secret;
}

beforeAll(async () => {
  supergraph = await startTestSupergraph({ REDIS_URL: TEST_REDIS_URL });
  // One environment for both: the same rate-limit counters in Redis.
  const env = gatewayProcessEnv(supergraph, { RATE_LIMIT_USER: String(USER_BUDGET) });
  [first, second] = await Promise.all([startSubgraphProcess('gateway', env), startSubgraphProcess('gateway', env)]);
}, 180_000);
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await supergraph?.stop();
});

describe('gateway processes sharing Redis', () => {
  it('plans the manifest at start-up: its operations’ first calls are not planned again, a new document is', async () => {
    const operations = operationManifest().operations.filter((operation) => operation.type !== 'subscription').length;
    expect(await counter(first, 'auralink_query_plans_total', 'origin="startup"')).toBe(operations);
    expect(first.output()).toContain('query plan cache warmed with the operation manifest');
    const before = await counter(first, 'auralink_query_plans_total', 'origin="request"');

    expect((await post(first.url, { documentId: PLANS.id })).body.data.plans).toHaveLength(3);
    expect((await post(first.url, { query: PLANS.body })).body.data.plans).toHaveLength(3);
    expect(await counter(first, 'auralink_query_plans_total', 'origin="request"')).toBe(before);

    expect((await post(first.url, { query: `{ plans { a${unique().replace(/[^a-z0-9]/gi, '')}: code } }` })).body.data.plans).toHaveLength(
      3,
    );
    expect(await counter(first, 'auralink_query_plans_total', 'origin="request"')).toBe(before + 1);
  });

  it('finds an automatic persisted query registered with one process from the other', async () => {
    const query = `query Apq${unique().replace(/[^a-z0-9]/gi, '')} { plans { code } }`;
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const byHash = { extensions: { persistedQuery: { version: 1, sha256Hash } } };

    expect((await post(second.url, byHash)).body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(first.url, { query, ...byHash });
    expect(registered.body.data.plans.map((plan: { code: string }) => plan.code)).toEqual(['FREE', 'PRO', 'ENTERPRISE']);
    // Apollo Server stores the document without waiting for it: the other process has it a moment later.
    const found = await eventually(async () => {
      const answer = await post(second.url, byHash);
      return answer.body.data ? answer : undefined;
    }, 'the second process to find the registered hash');
    expect(found.body.errors).toBeUndefined();
    expect(found.body.data.plans).toHaveLength(3);
  });

  it(`cuts ${BURST} quick requests of one user to the user's budget, across both processes, with 429 and Retry-After`, async () => {
    const busy = await supergraph.seed.org({ name: 'Burst' }).create();
    const refusedBefore =
      (await counter(first, 'auralink_rate_limit_refusals_total', 'reason="request"')) +
      (await counter(second, 'auralink_rate_limit_refusals_total', 'reason="request"'));

    const answers = await burst(BURST, [first.url, second.url], (url) => post(url, { query: '{ plans { code } }' }, busy.owner.token));

    expect(statuses(answers)).toEqual({ 200: USER_BUDGET, 429: BURST - USER_BUDGET });
    answers.filter((answer) => answer.status === 429).forEach((answer) => expectRateLimited(answer));
    const refusedAfter =
      (await counter(first, 'auralink_rate_limit_refusals_total', 'reason="request"')) +
      (await counter(second, 'auralink_rate_limit_refusals_total', 'reason="request"'));
    expect(refusedAfter - refusedBefore).toBe(BURST - USER_BUDGET);
  });

  it('holds an API key to its own request budget across both processes', async () => {
    const partner = await supergraph.seed.org({ name: 'Partner requests' }).create();
    const key = await partnerKey(partner, { requestsPerWindow: 10 });

    const answers = await burst(16, [first.url, second.url], (url) => post(url, { documentId: PLANS.id }, key), 4);

    expect(statuses(answers)).toEqual({ 200: 10, 429: 6 });
    answers.filter((answer) => answer.status === 429).forEach((answer) => expectRateLimited(answer, 'API_KEY_REQUESTS'));
    const refused =
      (await counter(first, 'auralink_rate_limit_refusals_total', 'reason="api_key_requests"')) +
      (await counter(second, 'auralink_rate_limit_refusals_total', 'reason="api_key_requests"'));
    expect(refused).toBe(6);
  });

  it('charges an API key its operations’ cost, across both processes, and refuses once the budget is spent', async () => {
    const schema = buildSchema(readFileSync(path.resolve(__dirname, '../..', API_SCHEMA_PATH), 'utf8'));
    const document = parse(PLANS.body);
    const cost = operationCost(schema, document, getOperationAST(document)!);
    const partner = await supergraph.seed.org({ name: 'Partner cost' }).create();
    const key = await partnerKey(partner, { costPerWindow: Math.max(100, Math.floor(cost * 3.5)) });
    const calls = Math.floor(Math.max(100, Math.floor(cost * 3.5)) / cost);

    const answers: Answer[] = [];
    for (let call = 0; call <= calls; call += 1)
      answers.push(await post([first.url, second.url][call % 2]!, { documentId: PLANS.id }, key));

    expect(statuses(answers)).toEqual({ 200: calls, 429: 1 });
    expectRateLimited(answers.at(-1)!, 'API_KEY_COST');
    expect(answers.at(-1)!.body.data ?? null).toBeNull();
  });

  it('refuses budgets outside their bounds, naming the field', async () => {
    const organization = await supergraph.seed.org({ name: 'Partner bounds' }).create();
    for (const [field, value] of [
      ['requestsPerWindow', 0],
      ['requestsPerWindow', 100_001],
      ['costPerWindow', 99],
    ] as const) {
      const refused = await supergraph.gateway(
        'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }',
        { input: { name: 'Out of bounds', [field]: value } },
        { token: organization.owner.token },
      );
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: `input.${field}` });
    }
  });

  it('reports each partner call to billing as usage, per organization, the last ones when the process stops cleanly', async () => {
    const metered = await supergraph.seed.org({ name: 'Metered' }).create();
    const usageOf = async () =>
      expectNoErrors(
        await supergraph.gateway<{ usageSummary: { metrics: { metric: string; quantity: number }[] } }, { o: string }>(
          'query($o: ID!) { usageSummary(organizationId: $o) { metrics { metric quantity } } }',
          { o: metered.organization.id },
          { token: metered.owner.token },
        ),
      ).usageSummary.metrics.find((line) => line.metric === 'API_CALLS')!.quantity;
    // Billing's first answer puts the organization on Free: its period starts before the calls.
    expect(await usageOf()).toBe(0);
    const key = await partnerKey(metered, {});
    const calls = 7;
    for (let call = 0; call < calls; call += 1) expect((await post(second.url, { documentId: PLANS.id }, key)).status).toBe(200);
    // A refused document is not a call.
    expect((await post(second.url, { query: '{ plans { code } }' }, key)).status).toBe(403);

    await second.stop({ gracefully: true });

    let counted = 0;
    await eventually(async () => {
      counted = await usageOf();
      return counted >= calls ? counted : undefined;
    }, 'billing to count the partner calls');
    expect(counted).toBe(calls);
  });
});
