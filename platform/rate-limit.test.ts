import type { Principal } from './auth/principal';
import { loadConfig } from './config';
import { RateLimitedError } from './errors';
import { createLogger } from './logger';
import { clientAddress, createRateLimiter } from './rate-limit';
import type { RateLimiter } from './rate-limit';

const principal = (userId: string, organizationId = 'org_1'): Principal => ({
  userId,
  organizationId,
  sessionId: 'sess_1',
  expiresAt: new Date(Date.now() + 60_000),
});

/** Memory counting (no REDIS_URL), with small budgets. */
function limiter(env: NodeJS.ProcessEnv = {}): RateLimiter {
  const settings = loadConfig({ RATE_LIMIT_ANONYMOUS: '5', RATE_LIMIT_USER: '3', RATE_LIMIT_ORGANIZATION: '4', ...env }).rateLimit;
  return createRateLimiter(settings, undefined, createLogger('silent'));
}

async function refusal(attempt: Promise<void>): Promise<RateLimitedError> {
  const error = await attempt.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RateLimitedError);
  return error as RateLimitedError;
}

describe('createRateLimiter (in memory)', () => {
  it('serves an address its budget, then refuses with the seconds until the window ends', async () => {
    const limits = limiter();
    for (let i = 0; i < 5; i += 1) await limits.admit(null, '198.51.100.1');

    const error = await refusal(limits.admit(null, '198.51.100.1'));
    expect(error.extensions.code).toBe('RATE_LIMITED');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(60);
    await limits.admit(null, '198.51.100.2');
  });

  it('charges a refused token its failed-authentication cost', async () => {
    const limits = limiter({ RATE_LIMIT_ANONYMOUS: '25', RATE_LIMIT_FAILED_AUTH_COST: '10' });
    await limits.chargeFailedAuthentication('198.51.100.3');
    await limits.chargeFailedAuthentication('198.51.100.3');

    await refusal(limits.chargeFailedAuthentication('198.51.100.3'));
  });

  it('holds an API key to its own request and cost budgets, naming which one is spent', async () => {
    const limits = limiter({ RATE_LIMIT_USER: '100', RATE_LIMIT_ORGANIZATION: '100' });
    const key = (id: string, requestsPerWindow: number, costPerWindow: number): Principal => ({
      ...principal('user_keys'),
      apiKey: { id, name: id, permissions: null, limits: { requestsPerWindow, costPerWindow } },
    });
    for (let i = 0; i < 2; i += 1) await limits.admit(key('apikey_a', 2, 1000), '');
    const requests = await refusal(limits.admit(key('apikey_a', 2, 1000), ''));
    expect(requests.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'API_KEY_REQUESTS' });
    // Another key of the same member has budgets of its own.
    await limits.admit(key('apikey_b', 2, 1000), '');

    await limits.chargeCost(key('apikey_b', 2, 1000), 600);
    const cost = await refusal(limits.chargeCost(key('apikey_b', 2, 1000), 600));
    expect(cost.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'API_KEY_COST' });
    // A session token has no cost budget.
    await limits.chargeCost(principal('user_keys'), 1_000_000);
  });

  it("does not spend the organization's budget on a user's refused requests", async () => {
    const limits = limiter();
    for (let i = 0; i < 3; i += 1) await limits.admit(principal('user_a'), '');
    for (let i = 0; i < 5; i += 1) await refusal(limits.admit(principal('user_a'), ''));

    // The organization spent 3 of 4: one more request from a colleague, then none.
    await limits.admit(principal('user_b'), '');
    await refusal(limits.admit(principal('user_b'), ''));
    await limits.admit(principal('user_c', 'org_2'), '');
  });

  it('treats a budget of 0 as no limit', async () => {
    const limits = limiter({ RATE_LIMIT_ANONYMOUS: '0' });
    for (let i = 0; i < 50; i += 1) await limits.admit(null, '198.51.100.4');
  });
});

describe('clientAddress', () => {
  const request = (forwardedFor?: string) => ({
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    socket: { remoteAddress: '10.0.0.9' },
  });

  it("is the socket's peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress(request('1.2.3.4') as never, 0)).toBe('10.0.0.9');
  });

  it('is the address the outermost trusted proxy saw, not what the client wrote further left', () => {
    expect(clientAddress(request('6.6.6.6, 198.51.100.7') as never, 1)).toBe('198.51.100.7');
    expect(clientAddress(request('6.6.6.6, 198.51.100.7, 10.0.0.2') as never, 2)).toBe('198.51.100.7');
    expect(clientAddress(request() as never, 1)).toBe('10.0.0.9');
  });
});
