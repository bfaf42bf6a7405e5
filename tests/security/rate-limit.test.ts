import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startGateway } from '../../gateway/server';
import { loadConfig } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import type { RunningServer } from '../../platform/server';
import type { SeededOrganization } from '../kit/seed';
import { TEST_REDIS_URL, startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

/**
 * Issue 9, item 2: 300 quick anonymous or bad-token requests got no 429. The budgets here
 * are the defaults a production gateway runs with, except the organization's, lowered so
 * that two users can spend it; every attacker comes from an address of its own (through
 * one trusted proxy's X-Forwarded-For), so the tests do not spend each other's budgets.
 */
const DEFAULTS = loadConfig({}).rateLimit;
const ORGANIZATION_BUDGET = DEFAULTS.user + DEFAULTS.user / 2;
const PLANS = '{ plans { code } }';
const FORGED_TOKEN =
  'eyJhbGciOiJFZERTQSIsImtpZCI6ImZvcmdlZCIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyX2V2aWwiLCJvcmciOiJvcmdfZXZpbCJ9.c2lnbmF0dXJl';

let supergraph: TestSupergraph;
let second: RunningServer | undefined;
let attackers = 0;

/** A fresh client address for one attack. */
function address(): string {
  attackers += 1;
  return `203.0.113.${attackers}`;
}

interface Answer {
  status: number;
  retryAfter: string | null;
  code: string | undefined;
}

async function post(url: string, from: string, token?: string): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': from,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: PLANS }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), code: body.errors?.[0]?.extensions?.code };
}

/** `count` requests, `concurrency` at a time, as quickly as the gateway answers. */
async function burst(count: number, send: () => Promise<Answer>, concurrency = 16): Promise<Answer[]> {
  const answers: Answer[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < count) {
        started += 1;
        answers.push(await send());
      }
    }),
  );
  return answers;
}

const statuses = (answers: Answer[]) =>
  answers.reduce<Record<number, number>>((counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});

function expectRateLimited(answer: Answer): void {
  expect(answer.status).toBe(429);
  expect(answer.code).toBe('RATE_LIMITED');
  const seconds = Number(answer.retryAfter);
  expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= DEFAULTS.windowSeconds).toBe(true);
}

beforeAll(async () => {
  supergraph = await startTestSupergraph({
    REDIS_URL: TEST_REDIS_URL,
    RATE_LIMIT_ANONYMOUS: String(DEFAULTS.anonymous),
    RATE_LIMIT_USER: String(DEFAULTS.user),
    RATE_LIMIT_ORGANIZATION: String(ORGANIZATION_BUDGET),
    RATE_LIMIT_FAILED_AUTH_COST: String(DEFAULTS.failedAuthenticationCost),
    RATE_LIMIT_TRUSTED_PROXIES: '1',
  });
});
afterAll(async () => {
  await second?.close();
  await supergraph?.stop();
});

describe('rate limits at the gateway', () => {
  it('300 quick anonymous requests: the budget is served, the rest get 429 with Retry-After and RATE_LIMITED', async () => {
    const attacker = address();
    const answers = await burst(300, () => post(supergraph.gatewayUrl, attacker));

    expect(statuses(answers)).toEqual({ 200: DEFAULTS.anonymous, 429: 300 - DEFAULTS.anonymous });
    answers.filter((answer) => answer.status === 429).forEach(expectRateLimited);

    // The Express path (GET) counts against the same budget; another address is served as before.
    const get = await fetch(`${supergraph.gatewayUrl}?query=${encodeURIComponent(PLANS)}`, {
      headers: { 'x-forwarded-for': attacker, 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(429);
    expect(get.headers.get('retry-after')).toMatch(/^[0-9]+$/);
    expect((await post(supergraph.gatewayUrl, address())).status).toBe(200);
  });

  it('300 quick requests with a forged token: a refused token costs more, so 429 comes after a few 401s', async () => {
    const attacker = address();
    const answers = await burst(300, () => post(supergraph.gatewayUrl, attacker, FORGED_TOKEN));
    const refusals = Math.floor(DEFAULTS.anonymous / DEFAULTS.failedAuthenticationCost);

    expect(statuses(answers)).toEqual({ 401: refusals, 429: 300 - refusals });
    answers.filter((answer) => answer.status === 429).forEach(expectRateLimited);
  });

  it('limits each user, whatever the address, and each organization across its users', async () => {
    const busy: SeededOrganization = await supergraph.seed.org({ name: 'Busy' }).withMember().create();
    const [colleague] = busy.members;

    // One user, a new address per request: the user's budget still binds.
    const alone = await burst(DEFAULTS.user + 20, () => post(supergraph.gatewayUrl, address(), busy.owner.token));
    expect(statuses(alone)).toEqual({ 200: DEFAULTS.user, 429: 20 });

    // A colleague with budget of their own left meets the organization's budget.
    const together = await burst(DEFAULTS.user / 2 + 20, () => post(supergraph.gatewayUrl, address(), colleague!.token));
    expect(statuses(together)).toEqual({ 200: ORGANIZATION_BUDGET - DEFAULTS.user, 429: 20 });
    together.filter((answer) => answer.status === 429).forEach(expectRateLimited);

    // Another organization is not affected.
    const other = await supergraph.seed.org({ name: 'Quiet' }).create();
    expect((await post(supergraph.gatewayUrl, address(), other.owner.token)).status).toBe(200);
  });

  it('is one budget across gateway processes sharing Redis', async () => {
    second = await startGateway({
      config: supergraph.config,
      logger: createLogger('silent'),
      host: '127.0.0.1',
      port: 0,
      subgraphUrls: supergraph.subgraphUrls,
    });
    const attacker = address();
    const half = DEFAULTS.anonymous / 2;

    expect(statuses(await burst(half, () => post(supergraph.gatewayUrl, attacker)))).toEqual({ 200: half });
    expect(statuses(await burst(half, () => post(second!.url, attacker)))).toEqual({ 200: half });
    // Alone, either gateway would still have half its budget left.
    expectRateLimited(await post(second.url, attacker));
    expectRateLimited(await post(supergraph.gatewayUrl, attacker));
  });

  it('charges WebSocket connections and each operation over them', async () => {
    const attacker = address();
    const closes: number[] = [];
    const open = () =>
      createClient({
        url: supergraph.gatewayUrl.replace(/^http/, 'ws'),
        webSocketImpl: class extends WebSocket {
          constructor(url: string, protocols?: string | string[]) {
            super(url, protocols, { headers: { 'x-forwarded-for': attacker } });
          }
        },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => undefined,
        on: { closed: (event) => closes.push((event as { code: number }).code) },
      });
    const query = (client: ReturnType<typeof open>) =>
      new Promise<{ code?: unknown; data?: unknown }>((resolve) => {
        client.subscribe(
          { query: PLANS },
          {
            next: (result) => resolve({ data: result.data, code: result.errors?.[0]?.extensions?.code }),
            error: (error) => resolve({ code: (error as { extensions?: { code?: string } }[])[0]?.extensions?.code }),
            complete: () => undefined,
          },
        );
      });

    const connected = open();
    expect(await query(connected)).toEqual({ data: { plans: expect.any(Array) }, code: undefined });
    // The address spends the rest of its budget over HTTP (the connection and its query cost 2).
    await burst(DEFAULTS.anonymous - 2, () => post(supergraph.gatewayUrl, attacker));

    expect((await query(connected)).code).toBe('RATE_LIMITED');
    const refused = open();
    for (let waited = 0; closes.length === 0 && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closes).toEqual([4429]);
    await connected.dispose();
    await refused.dispose();
  });
});
