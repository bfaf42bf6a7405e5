import { randomBytes, randomUUID } from 'node:crypto';
import { SUBGRAPH_NAMES } from '../../platform/config';
import { eventually } from '../kit/eventually';
import { startGatewayProcess } from '../kit/gateway-process';
import type { SeededOrganization } from '../kit/seed';
import type { SubgraphProcess } from '../kit/subgraph-process';
import { TEST_REDIS_URL, startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

/**
 * A gateway with NODE_ENV=production (its own process, as production runs it): no
 * introspection, no field suggestions, and errors masked. A failing subgraph, an unknown
 * field, an introspection query and a subgraph that is down each reach the client as a
 * code, a message and, for ours, the request id; no subgraph name, host, port or internal
 * message. The gateway's log has the detail under that request id.
 */
let supergraph: TestSupergraph;
let gateway: SubgraphProcess;
let acme: SeededOrganization;

interface Answer {
  status: number;
  text: string;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function ask(query: string, requestId: string, token?: string): Promise<Answer & { requestId: string }> {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Answer['body'], requestId };
}

/** Nothing in the answer says what runs behind the gateway, where, or what failed inside it. */
function expectNoInternals(answer: Answer & { requestId: string }): void {
  // The request id is the client's own: a port's digits may turn up in it by chance.
  const text = answer.text.replaceAll(answer.requestId, '').toLowerCase();
  for (const name of SUBGRAPH_NAMES) expect(text).not.toContain(name);
  for (const internal of [
    '127.0.0.1',
    'localhost',
    ...Object.values(supergraph.subgraphUrls).map((url) => new URL(url).port),
    'did you mean',
    'servicename',
    'stacktrace',
    'relation',
    'apollo',
    'econnrefused',
  ]) {
    expect(text).not.toContain(internal.toLowerCase());
  }
}

/** The gateway's log has a line with the request id and `detail` (the process writes it a moment after it answers). */
async function loggedWith(requestId: string, detail: string): Promise<void> {
  await eventually(
    async () =>
      gateway
        .output()
        .split('\n')
        .find((line) => line.includes(requestId) && line.includes(detail)),
    `a log line with ${requestId} and ${detail}`,
    10_000,
  );
}

beforeAll(async () => {
  supergraph = await startTestSupergraph({ REDIS_URL: TEST_REDIS_URL });
  acme = await supergraph.seed.org({ name: 'Production Acme' }).create();
  gateway = await startGatewayProcess(supergraph, {
    NODE_ENV: 'production',
    DATABASE_URL: supergraph.config.database.url,
    SECRETS_KEY: randomBytes(32).toString('base64'),
  });
}, 180_000);
afterAll(async () => {
  await gateway?.stop();
  await supergraph?.stop();
});

describe('a production gateway', () => {
  it('masks a subgraph’s failure: INTERNAL and the request id for the client, the detail in the log under that id', async () => {
    const requestId = `req-${randomUUID()}`;
    await supergraph.dataSources.billing.query('ALTER TABLE billing.plans RENAME TO plans_away');
    let answer: Answer & { requestId: string };
    try {
      answer = await ask('{ plans { code } }', requestId);
    } finally {
      await supergraph.dataSources.billing.query('ALTER TABLE billing.plans_away RENAME TO plans');
    }
    expect(answer.body.data?.plans ?? null).toBeNull();
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL', requestId } }),
    ]);
    expectNoInternals(answer);
    await loggedWith(requestId, '"serviceName":"billing"');
  });

  it('names no field it was not asked for: an unknown field gets no suggestion', async () => {
    const answer = await ask('{ plans { cod } }', `req-${randomUUID()}`);
    expect(answer.body.errors?.[0]).toMatchObject({
      message: 'Cannot query field "cod" on type "Plan".',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expectNoInternals(answer);
  });

  it('answers no introspection, whether the caller has a token or not', async () => {
    for (const token of [undefined, acme.owner.token]) {
      const answer = await ask('{ __schema { types { name } } }', `req-${randomUUID()}`, token);
      expect(answer.body.data ?? null).toBeNull();
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expectNoInternals(answer);
    }
  });

  it('says a service is unavailable, not which one or where, when a subgraph is down', async () => {
    const requestId = `req-${randomUUID()}`;
    await supergraph.stopSubgraph('billing');
    let answer: Answer & { requestId: string };
    try {
      answer = await ask('{ plans { code } }', requestId);
    } finally {
      await supergraph.restartSubgraph('billing');
    }
    expect(answer.body.errors?.[0]?.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', requestId });
    expect(answer.body.errors?.[0]?.message).toMatch(/unavailable/);
    expectNoInternals(answer);
    await loggedWith(requestId, '"serviceName":"billing"');
  });
});
