import { expectError, expectNoErrors } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

/**
 * Sign-in's routes on the gateway's single origin (`/api/v1/auth/*`, identity's, forwarded
 * with the path unchanged). Each test comes from an address of its own (through one trusted
 * proxy's X-Forwarded-For), so the small anonymous budget of the last one binds only there.
 */
const ANONYMOUS_BUDGET = 30;
const ME = '{ me { id } }';

let supergraph: TestSupergraph;
let team: SeededOrganization;
let origin: string;
let clients = 0;

beforeAll(async () => {
  supergraph = await startTestSupergraph({
    RATE_LIMIT_ANONYMOUS: String(ANONYMOUS_BUDGET),
    RATE_LIMIT_FAILED_AUTH_COST: '10',
    RATE_LIMIT_TRUSTED_PROXIES: '1',
  });
  team = await supergraph.seed.org().create();
  origin = new URL(supergraph.gatewayUrl).origin;
});
afterAll(async () => {
  await supergraph?.stop();
});

/** A fresh client address. */
function address(): string {
  clients += 1;
  return `198.51.100.${clients}`;
}

interface Answer {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  body: Record<string, unknown> & { errors?: { message: string; extensions?: { code?: string; field?: string } }[] };
}

async function post(path: string, body: unknown, from: string, contentType = 'application/json'): Promise<Answer> {
  const response = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-forwarded-for': from },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as Answer['body'],
  };
}

const refresh = (refreshToken: unknown, from: string) => post('/api/v1/auth/token/refresh', { refresh_token: refreshToken }, from);
const signIn = () => supergraph.seed.identity.sessions.start(team.owner.user.id, team.organization.id);

describe('POST /api/v1/auth/token/refresh through the gateway', () => {
  it('answers a new access token and the next refresh token; the access token works', async () => {
    const from = address();
    const session = await signIn();
    const answer = await refresh(session.refreshToken, from);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ token_type: 'Bearer', session_id: session.sessionId });
    expect(answer.body.refresh_token).toMatch(/^rt_/);
    expect(answer.body.refresh_token).not.toBe(session.refreshToken);
    const me = expectNoErrors(
      await supergraph.gateway<{ me: { id: string } }, never>(ME, undefined, { token: answer.body.access_token as string }),
    );
    expect(me.me.id).toBe(team.owner.user.id);

    // The next refresh takes the new refresh token.
    expect((await refresh(answer.body.refresh_token, from)).status).toBe(200);
  });

  it('ends the whole session when a rotated refresh token is used again: its access tokens are refused on the next request', async () => {
    const from = address();
    const session = await signIn();
    const rotated = await refresh(session.refreshToken, from);
    const accessToken = rotated.body.access_token as string;
    expectNoErrors(await supergraph.gateway(ME, undefined, { token: accessToken }));

    const reuse = await refresh(session.refreshToken, from);
    expect(reuse.status).toBe(401);
    expect(reuse.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(reuse.body.errors?.[0]?.message).toMatch(/already used/);

    const refused = await supergraph.gateway(ME, undefined, { token: accessToken });
    expect(refused.status).toBe(401);
    expect(expectError(refused, 'UNAUTHENTICATED').message).toMatch(/session has ended/);
    // The newest refresh token died with the session.
    expect((await refresh(rotated.body.refresh_token, from)).status).toBe(401);
    // As it is refused by identity itself, reached directly.
    const direct = await fetch(supergraph.subgraphUrls.identity, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ query: ME }),
    });
    expect(direct.status).toBe(401);
  });

  it('refuses bad input with a coded JSON error naming the field, never HTML', async () => {
    const from = address();
    const missing = await post('/api/v1/auth/token/refresh', {}, from);
    expect(missing.status).toBe(400);
    expect(missing.contentType).toMatch(/application\/json/);
    expect(missing.body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'refresh_token' });

    const malformed = await refresh('not-a-token', from);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors?.[0]?.extensions?.field).toBe('refresh_token');

    const notJson = await post('/api/v1/auth/token/refresh', '{"refresh_token": ', from);
    expect(notJson.status).toBe(400);
    expect(notJson.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const tooLarge = await post('/api/v1/auth/token/refresh', { refresh_token: 'x'.repeat(10_000) }, from);
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.errors?.[0]?.message).toMatch(/too large/);

    const unknown = await refresh(`rt_${'A'.repeat(43)}`, from);
    expect(unknown.status).toBe(401);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const unknownRoute = await post('/api/v1/auth/nothing-here', {}, from);
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('POST /api/v1/auth/logout through the gateway', () => {
  it('ends the session: its access token and refresh token are refused from the next request on', async () => {
    const from = address();
    const session = await signIn();
    expectNoErrors(await supergraph.gateway(ME, undefined, { token: session.accessToken.token }));

    const out = await post('/api/v1/auth/logout', { refresh_token: session.refreshToken }, from);
    expect(out).toMatchObject({ status: 200, body: { session_ended: true } });
    expectError(await supergraph.gateway(ME, undefined, { token: session.accessToken.token }), 'UNAUTHENTICATED');
    expect((await refresh(session.refreshToken, from)).status).toBe(401);
    // Signing out twice changes nothing.
    expect(await post('/api/v1/auth/logout', { refresh_token: session.refreshToken }, from)).toMatchObject({
      status: 200,
      body: { session_ended: false },
    });
  });
});

describe('rate limit on the auth routes', () => {
  it('charges each address, a refused refresh token more, and answers 429 with Retry-After as JSON', async () => {
    const from = address();
    const answers: Answer[] = [];
    for (let attempt = 0; attempt < 10; attempt += 1) answers.push(await refresh(`rt_${'B'.repeat(43)}`, from));
    // Each refused attempt costs 1 + 10 of the address's 30.
    expect(answers.slice(0, 3).map((answer) => answer.status)).toEqual([401, 401, 401]);
    const limited = answers.slice(3);
    expect(limited.every((answer) => answer.status === 429)).toBe(true);
    expect(Number(limited[0]!.retryAfter)).toBeGreaterThan(0);
    expect(limited[0]!.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

    // Another address is not affected.
    const session = await signIn();
    expect((await refresh(session.refreshToken, address())).status).toBe(200);
  });
});
