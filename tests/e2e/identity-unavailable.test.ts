import { execute, expectError, expectNoErrors } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

const PLANS = '{ plans { code } }';

let supergraph: TestSupergraph;
let team: SeededOrganization;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  // Signed through identity's services directly: no process has fetched identity's keys yet.
  team = await supergraph.seed.org({ name: 'Keys away' }).create();
});
afterAll(async () => {
  await supergraph?.stop();
});

describe('identity down: its signing keys cannot be fetched', () => {
  it('answers 503 SERVICE_UNAVAILABLE (retry), not UNAUTHENTICATED (sign in again), at the gateway and a subgraph; then recovers', async () => {
    await supergraph.stopSubgraph('identity');
    try {
      for (const url of [supergraph.gatewayUrl, supergraph.subgraphUrls.billing]) {
        const exchange = await execute(url, PLANS, undefined, { token: team.owner.token });

        expect(exchange.status).toBe(503);
        expect(expectError(exchange, 'SERVICE_UNAVAILABLE').message).toMatch(/retry shortly/i);
        expect(exchange.errors?.some((error) => error.extensions?.code === 'UNAUTHENTICATED')).toBe(false);
      }
      // Anonymous callers of public fields need no keys.
      expectNoErrors(await supergraph.gateway(PLANS));
    } finally {
      await supergraph.restartSubgraph('identity');
    }

    expectNoErrors(await supergraph.gateway(PLANS, undefined, { token: team.owner.token }));
    expectNoErrors(await execute(supergraph.subgraphUrls.billing, PLANS, undefined, { token: team.owner.token }));
  });
});
