/**
 * API-key verification per request (`api-key`, in process): what every subgraph and the
 * gateway do with `Authorization: Bearer ak_live_…` before a request runs (platform/authenticate.ts):
 * read the bearer token, find the key in the token cache (`cachedTokenVerifier`, warm: every key
 * verified once before timing), and check the principal against the membership and key
 * revocations. Goal: ≤ 50 µs p99. For reference, the same keys verified cold by identity's
 * ApiKeyService (its SQL lookup and membership check, what a cache miss costs).
 */
import { createHash, randomBytes } from 'node:crypto';
import { build } from 'hdr-histogram-js';
import { isApiKey, withApiKeys } from '../../platform/auth/api-keys';
import { MembershipRevocations } from '../../platform/auth/membership-revocations';
import { cachedTokenVerifier } from '../../platform/auth/token-cache';
import { createAccessControl } from '../../platform/authorization/access-control';
import { authenticate } from '../../platform/authenticate';
import { loadConfig } from '../../platform/config';
import { UnauthenticatedError } from '../../platform/errors';
import { openDatabase } from '../../platform/database';
import { newId } from '../../platform/ids';
import { createLogger } from '../../platform/logger';
import { InProcessTransport } from '../../platform/outbox/in-process-transport';
import { isProcessAlive } from '../../platform/process-alive';
import { authzSubgraph } from '../../subgraphs/authz';
import { createIdentityServices, identitySubgraph } from '../../subgraphs/identity';
import { createBenchDatabase, dropStaleBenchDatabases } from '../data';
import type { Scenario } from '../options';
import type { Cell } from '../report';

interface Timing {
  calls: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  meanUs: number;
}

/** Calls `run` in turn for `seconds` (or `maxCalls`) and records each call in nanoseconds. */
async function time(run: (i: number) => Promise<unknown>, seconds: number, maxCalls = Number.POSITIVE_INFINITY): Promise<Timing> {
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: 3 });
  const endAt = performance.now() + seconds * 1000;
  const started = performance.now();
  let calls = 0;
  while (performance.now() < endAt && calls < maxCalls) {
    const began = performance.now();
    await run(calls);
    histogram.recordValue(Math.max(1, Math.round((performance.now() - began) * 1e6)));
    calls++;
  }
  return {
    calls,
    p50Us: histogram.getValueAtPercentile(50) / 1000,
    p99Us: histogram.getValueAtPercentile(99) / 1000,
    maxUs: histogram.maxValue / 1000,
    meanUs: ((performance.now() - started) * 1000) / calls,
  };
}

const GOAL_P99_US = 50;

export const apiKeyScenario: Scenario = async (options, log) => {
  const keyCount = options.smoke ? 20 : 1000;
  // Under the token cache's 60 s trust, so every timed call is a hit.
  const seconds = options.smoke ? 0.2 : Math.min(30, Math.max(2, options.durationSeconds));
  await dropStaleBenchDatabases(isProcessAlive);
  const database = await createBenchDatabase({ organizations: options.smoke ? 2 : 20, membersPerOrganization: 10, callers: 50 });
  const logger = createLogger('silent');
  const config = loadConfig({ DATABASE_URL: database.url, SECRETS_KEY: database.secretsKey, LOG_LEVEL: 'silent' });
  const identityData = await openDatabase(identitySubgraph.storage, { url: database.url, poolMax: 4, applicationName: 'bench-api-key' });
  const authzData = await openDatabase(authzSubgraph.storage, { url: database.url, poolMax: 2, applicationName: 'bench-api-key' });
  const access = await createAccessControl({ ...config, redisUrl: undefined }, authzData, logger);
  const services = createIdentityServices({ config: { ...config, redisUrl: undefined }, dataSource: identityData, access });
  const transport = new InProcessTransport();
  const revocations = new MembershipRevocations();
  try {
    await revocations.start(transport);
    const keys: string[] = [];
    for (let index = 0; index < keyCount; index++) {
      const caller = database.callers[index % database.callers.length]!;
      const key = `ak_live_${randomBytes(24).toString('base64url')}`;
      await identityData.query(
        'INSERT INTO identity.api_keys (id, organization_id, created_by_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4, $5, $6)',
        [
          newId('apiKey'),
          caller.organizationId,
          caller.userId,
          `Bench ${index}`,
          key.slice(0, 12),
          createHash('sha256').update(key).digest('hex'),
        ],
      );
      keys.push(key);
    }
    log(`${keys.length} API keys of ${database.callers.length} members; timing ${seconds}s per run`);

    // What every process builds (platform/server.ts): session tokens to the JWT check (unused here), API keys to identity.
    const verifyToken = cachedTokenVerifier(
      withApiKeys(
        async () => {
          throw new UnauthenticatedError('not an API key');
        },
        (key) => services.apiKeys.verify(key),
      ),
    );
    const requests = keys.map((key) => ({ headers: { authorization: `Bearer ${key}` }, socket: {} }) as Parameters<typeof authenticate>[0]);
    for (const request of requests) {
      const principal = await authenticate(request, verifyToken, revocations);
      if (!principal?.apiKey || !isApiKey(String(request.headers.authorization).slice(7))) throw new Error('an API key did not verify');
    }
    log('every key verified once: the cache is warm');

    const warm = await time((i) => authenticate(requests[i % requests.length]!, verifyToken, revocations), seconds);
    const cold = await time((i) => services.apiKeys.verify(keys[i % keys.length]!), Math.max(0.2, seconds / 4), options.smoke ? 50 : 5000);
    const rows: Cell[][] = [
      ['per request, cache warm (authenticate)', warm.calls, warm.p50Us, warm.p99Us, warm.maxUs, warm.meanUs],
      ['cache miss (ApiKeyService.verify: SQL)', cold.calls, cold.p50Us, cold.p99Us, cold.maxUs, cold.meanUs],
    ];
    return {
      scenario: 'api-key',
      comparison: `API-key verification per request with its cache warm (bearer parse, token cache, revocation check), goal ≤ ${GOAL_P99_US} µs p99; a cache miss (identity's SQL lookup) for reference.`,
      tables: [{ title: 'Verification', table: { columns: ['path', 'calls', 'p50 µs', 'p99 µs', 'max µs', 'mean µs'], rows } }],
      raw: { keys: keys.length, seconds, warm, cold, goalP99Us: GOAL_P99_US },
      notes: [
        `warm p99 ${warm.p99Us.toFixed(1)} µs: ${warm.p99Us <= GOAL_P99_US ? 'within' : 'over'} the goal of ${GOAL_P99_US} µs`,
        'in process, one caller at a time; the cache trusts a verification for 60 s, so a key costs one miss a minute per process',
      ],
    };
  } finally {
    await services.apiKeys.close();
    await Promise.all([services.signInStates.close(), services.signInProtection.close()]);
    revocations.close();
    await access.close();
    await Promise.all([identityData.destroy(), authzData.destroy()]);
    await database.drop();
  }
};
