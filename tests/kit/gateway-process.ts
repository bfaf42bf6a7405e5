import { randomBytes } from 'node:crypto';
import { SUBGRAPH_NAMES, jwksUrlOf } from '../../platform/config';
import { startSubgraphProcess } from './subgraph-process';
import type { SubgraphProcess } from './subgraph-process';
import { TEST_REDIS_URL } from './supergraph';
import type { TestSupergraph } from './supergraph';

/**
 * The settings a gateway process needs in front of a test supergraph's subgraphs: their
 * URLs, identity's keys, the subgraph credential, and the supergraph's Redis streams (for
 * revocations and usage facts). Rate-limit counters get a prefix of their own unless `env`
 * names one, so gateways started with the same `env` share their budgets and nothing else does.
 */
export function gatewayProcessEnv(supergraph: TestSupergraph, env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    REDIS_URL: TEST_REDIS_URL,
    EVENT_STREAM_PREFIX: supergraph.config.events.streamPrefix,
    SUBGRAPH_SECRET: supergraph.config.subgraph.secret,
    AUTH_JWKS_URL: jwksUrlOf(supergraph.subgraphUrls.identity),
    RATE_LIMIT_KEY_PREFIX: `auralink-test:${randomBytes(6).toString('hex')}:ratelimit`,
    RATE_LIMIT_ANONYMOUS: '1000000',
    RATE_LIMIT_USER: '1000000',
    RATE_LIMIT_ORGANIZATION: '1000000',
    GATEWAY_PORT: '0',
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, supergraph.subgraphUrls[name]])),
    ...env,
  };
}

/** A gateway as production runs it (bin/serve.ts gateway, its own process) in front of `supergraph`'s subgraphs. */
export function startGatewayProcess(supergraph: TestSupergraph, env: NodeJS.ProcessEnv = {}): Promise<SubgraphProcess> {
  return startSubgraphProcess('gateway', gatewayProcessEnv(supergraph, env));
}
