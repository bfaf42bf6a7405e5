/**
 * Issue 9, item 4: a subgraph reached directly answered anonymous `_entities` with 20,000
 * `Health` keys by running 20,000 database round trips. Now `_entities` and `_service`
 * answer only the gateway (its credential, SUBGRAPH_SECRET, in X-Subgraph-Secret), take a
 * limited number of keys, and `Health` is probed once per request however many keys ask.
 */
import { execute, expectError, expectNoErrors } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { connect } from '../kit/subscriptions';
import { gatewayCredential, startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

const MAX_REPRESENTATIONS = 10_000;

let supergraph: TestSupergraph;
let acme: SeededOrganization;
let probes = 0;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  acme = await supergraph.seed.org({ name: 'Acme' }).create();
  // Count the health probes identity sends to its database (every other query goes on as before).
  const dataSource = supergraph.dataSources.identity;
  const query = dataSource.query.bind(dataSource);
  dataSource.query = (async (sql: string, ...rest: unknown[]) => {
    if (sql === 'SELECT 1') probes += 1;
    return (query as (sql: string, ...rest: unknown[]) => Promise<unknown>)(sql, ...rest);
  }) as typeof dataSource.query;
});
afterAll(async () => {
  await supergraph?.stop();
});

const HEALTH_LOOKUP = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Health { identity { status } } } }';
const healthKeys = (count: number) => ({ r: Array.from({ length: count }, () => ({ __typename: 'Health', id: 'supergraph' })) });

describe('_entities on a subgraph reached directly', () => {
  it('refuses 20,000 Health keys from an anonymous caller without the credential, before probing anything', async () => {
    const before = probes;
    const exchange = await execute(supergraph.subgraphUrls.identity, HEALTH_LOOKUP, healthKeys(20_000));

    const error = expectError(exchange, 'UNAUTHENTICATED');
    expect(error.message).toMatch(/^_entities answers the gateway only: send its credential/);
    expect(exchange.data).toBeNull();
    expect(probes).toBe(before);
  });

  it('refuses a signed-in member without the credential too, and a wrong credential', async () => {
    for (const headers of [{}, { 'x-subgraph-secret': 'not-the-secret' }] as Record<string, string>[]) {
      const exchange = await execute(supergraph.subgraphUrls.identity, HEALTH_LOOKUP, healthKeys(1), { token: acme.owner.token, headers });
      expectError(exchange, 'UNAUTHENTICATED');
    }
  });

  it('caps the keys of one call even for the gateway', async () => {
    const exchange = await execute(supergraph.subgraphUrls.identity, HEALTH_LOOKUP, healthKeys(20_000), {
      headers: gatewayCredential(supergraph.config),
    });

    const error = expectError(exchange, 'QUERY_TOO_COMPLEX');
    expect(error.message).toBe(`_entities was sent 20000 representations, more than the limit of ${MAX_REPRESENTATIONS}`);
    expect(error.extensions).toMatchObject({ limit: 'representations', max: MAX_REPRESENTATIONS, found: 20_000 });
  });

  it('probes the database once for a whole batch of Health keys', async () => {
    const before = probes;
    const exchange = await execute(supergraph.subgraphUrls.identity, HEALTH_LOOKUP, healthKeys(5_000), {
      headers: gatewayCredential(supergraph.config),
    });

    const { _entities: entities } = expectNoErrors(exchange as typeof exchange & { data: { _entities: unknown[] } });
    expect(entities).toHaveLength(5_000);
    expect(entities[4_999]).toEqual({ identity: { status: 'ok' } });
    expect(probes - before).toBe(1);
  });

  it('answers _service only with the credential', async () => {
    expectError(await execute(supergraph.subgraphUrls.billing, '{ _service { sdl } }'), 'UNAUTHENTICATED');
    const { _service: service } = expectNoErrors(
      await execute<{ _service: { sdl: string } }, never>(supergraph.subgraphUrls.billing, '{ _service { sdl } }', undefined, {
        headers: gatewayCredential(supergraph.config),
      }),
    );
    expect(service.sdl).toContain('type Plan');
  });

  it('refuses _entities over a subgraph WebSocket without the credential', async () => {
    const socket = connect(supergraph.subgraphUrls.identity);
    try {
      const result = await socket.subscribe(HEALTH_LOOKUP, healthKeys(3)).next();
      expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    } finally {
      await socket.dispose();
    }
  });
});

describe('the gateway', () => {
  it('sends the credential on every subgraph fetch: health across six subgraphs answers as before', async () => {
    const { health } = expectNoErrors(
      await supergraph.gateway<{ health: Record<string, { status: string }> }, never>(
        '{ health { identity { status } authz { status } audit { status } billing { status } compliance { status } analytics { status } } }',
      ),
    );
    expect(Object.values(health).map((subgraph) => subgraph.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });
});
