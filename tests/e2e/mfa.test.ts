import { Secret, TOTP, URI } from 'otpauth';
import { expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import { startOidcProvider } from '../kit/oidc-provider';
import type { RunningOidcProvider } from '../kit/oidc-provider';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';
import { freePort } from '../kit/test-services';

/**
 * MFA at sign-in and lock-out, through the gateway's single origin: a member of an organization
 * that requires a second factor signs in with a real OpenID Provider, is asked to enrol, scans
 * (computes, with otpauth) the code, and gets a working session; the next sign-in asks for a
 * code; a replayed code and wrong ones lock them out (429 with Retry-After), and an admin
 * unlocks them.
 */
let supergraph: TestSupergraph;
let provider: RunningOidcProvider;
let origin: string;
let team: SeededOrganization;
let configId: string;
let cookie = '';

interface Answer {
  status: number;
  retryAfter: string | null;
  body: Record<string, unknown> & { errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: text ? (JSON.parse(text) as Answer['body']) : {},
  };
}

async function get(url: string): Promise<Answer & { location: string | null }> {
  const response = await fetch(url, { redirect: 'manual', headers: { cookie } });
  const setCookie = response.headers.getSetCookie().find((line) => line.startsWith('auralink_sso_state='));
  if (setCookie) cookie = setCookie.split(';')[0]!;
  return { ...(await answerOf(response)), location: response.headers.get('location') };
}

const post = async (path: string, body: Record<string, unknown>) =>
  answerOf(
    await fetch(`${origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  );

/** Through the provider's pages as `email`, and back to our callback: its answer. */
async function signIn(email: string): Promise<Answer> {
  const started = await get(`${origin}/api/v1/auth/sso/oidc/login?config_id=${encodeURIComponent(configId)}`);
  expect(started.status).toBe(302);
  return get((await provider.signIn(started.location!, email)).toString());
}

const graphql = <T>(query: string, variables: Record<string, unknown>, token: string) =>
  supergraph.gateway<T, Record<string, unknown>>(query, variables, { token });

/** The code an authenticator app shows, `stepsAhead` 30-second steps from now (one ahead is still accepted). */
const codeOf = (secret: string, stepsAhead = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + stepsAhead * 30_000 });

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  supergraph = await startTestSupergraph({ GATEWAY_PORT: String(port), SIGN_IN_MAX_FAILURES: '3', SIGN_IN_LOCKOUT_SECONDS: '600' });
  provider = await startOidcProvider({
    clients: [{ clientId: 'auralink-mfa', redirectUris: [`${origin}/api/v1/auth/sso/oidc/callback`] }],
  });
  team = await supergraph.seed.org().withMember({ name: 'Ada' }).create();
  provider.addAccount({ sub: 'op-ada', email: team.members[0]!.user.email, name: 'Ada' });
  const { createSsoConfig } = expectNoErrors(
    await graphql<{ createSsoConfig: { id: string } }>(
      'mutation($input: CreateSsoConfigInput!) { createSsoConfig(input: $input) { id } }',
      {
        input: {
          organizationId: team.organization.id,
          providerType: 'OIDC',
          providerName: 'MFA OP',
          oidcIssuer: provider.issuer,
          oidcClientId: 'auralink-mfa',
        },
      },
      team.owner.token,
    ),
  );
  configId = createSsoConfig.id;
  expectNoErrors(
    await graphql(
      'mutation($o: ID!) { setMfaRequirement(organizationId: $o, requirement: EVERYONE) }',
      { o: team.organization.id },
      team.owner.token,
    ),
  );
});
afterAll(async () => {
  await provider?.close();
  await supergraph?.stop();
});

describe('MFA at sign-in, and lock-out', () => {
  const ada = () => team.members[0]!;
  let secret: string;
  let recoveryCodes: string[];

  it('asks a member without a second factor to enrol, then signs them in with the app’s first code', async () => {
    const challenged = await signIn(ada().user.email);
    expect(challenged.status).toBe(200);
    expect(challenged.body).toMatchObject({
      mfa_required: true,
      mfa_token: expect.stringMatching(/^mfa_/),
      mfa_enrollment_required: true,
      user_id: ada().user.id,
    });
    expect(challenged.body).not.toHaveProperty('access_token');
    const mfaToken = challenged.body.mfa_token as string;

    // Only enrolment: a code before the authenticator is set up is refused.
    const early = await post('/api/v1/auth/mfa/verify', { mfa_token: mfaToken, code: '123456' });
    expect(early.status).toBe(400);
    expect(early.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mfa_token' });

    const enrollment = await post('/api/v1/auth/mfa/enroll', { mfa_token: mfaToken });
    expect(enrollment.status).toBe(200);
    const uri = URI.parse(enrollment.body.otpauth_uri as string) as TOTP;
    expect(uri).toBeInstanceOf(TOTP);
    secret = enrollment.body.secret as string;
    expect(uri.secret.base32).toBe(secret);

    const signedIn = await post('/api/v1/auth/mfa/verify', { mfa_token: mfaToken, code: uri.generate() });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({
      token_type: 'Bearer',
      access_token: expect.any(String),
      refresh_token: expect.stringMatching(/^rt_/),
      user_id: ada().user.id,
      recovery_codes: expect.any(Array),
    });
    recoveryCodes = signedIn.body.recovery_codes as string[];
    expect(recoveryCodes).toHaveLength(10);
    const { me, myMfa } = expectNoErrors(
      await graphql<{ me: { id: string }; myMfa: { enabled: boolean; recoveryCodesLeft: number } }>(
        '{ me { id } myMfa { enabled recoveryCodesLeft } }',
        {},
        signedIn.body.access_token as string,
      ),
    );
    expect(me.id).toBe(ada().user.id);
    expect(myMfa).toEqual({ enabled: true, recoveryCodesLeft: 10 });
    // The challenge is used up with the sign-in.
    expect((await post('/api/v1/auth/mfa/verify', { mfa_token: mfaToken, code: codeOf(secret, 1) })).status).toBe(401);
  });

  it('asks for a code at the next sign-in, and a recovery code does in its place', async () => {
    const challenged = await signIn(ada().user.email);
    expect(challenged.body).toMatchObject({ mfa_required: true, mfa_enrollment_required: false });
    const signedIn = await post('/api/v1/auth/mfa/verify', { mfa_token: challenged.body.mfa_token, recovery_code: recoveryCodes[0] });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).not.toHaveProperty('recovery_codes');
    const { myMfa } = expectNoErrors(
      await graphql<{ myMfa: { recoveryCodesLeft: number } }>('{ myMfa { recoveryCodesLeft } }', {}, signedIn.body.access_token as string),
    );
    expect(myMfa.recoveryCodesLeft).toBe(9);
  });

  it('refuses a replayed code; wrong codes lock the member out (429 with Retry-After) until an admin unlocks them', async () => {
    const challenged = await signIn(ada().user.email);
    const mfaToken = challenged.body.mfa_token as string;
    // The code of the next step: accepted now, and still within its window when presented again.
    const code = codeOf(secret, 1);
    const first = await post('/api/v1/auth/mfa/verify', { mfa_token: mfaToken, code });
    expect(first.status).toBe(200);

    const again = await signIn(ada().user.email);
    const replayed = await post('/api/v1/auth/mfa/verify', { mfa_token: again.body.mfa_token, code });
    expect(replayed.status).toBe(401);
    expect(replayed.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'mfa_code_invalid', field: 'code' });
    expect((await post('/api/v1/auth/mfa/verify', { mfa_token: again.body.mfa_token, recovery_code: 'aaaaa-aaaaa' })).status).toBe(401);
    const third = await post('/api/v1/auth/mfa/verify', { mfa_token: again.body.mfa_token, code: '000000' });
    expect(third.status).toBe(401);
    expect(third.body.errors?.[0]?.extensions).toMatchObject({ reason: 'locked_out' });

    const locked = await signIn(ada().user.email);
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(500);
    expect(locked.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'locked_out' });
    const { organization } = expectNoErrors(
      await graphql<{ organization: { members: { user: { id: string }; signInLockedUntil: string | null }[] } }>(
        'query($id: ID!) { organization(id: $id) { members { user { id } signInLockedUntil } } }',
        { id: team.organization.id },
        team.owner.token,
      ),
    );
    expect(organization.members.find((member) => member.user.id === ada().user.id)?.signInLockedUntil).toEqual(expect.any(String));

    const { unlockUser } = expectNoErrors(
      await graphql<{ unlockUser: boolean }>('mutation($u: ID!) { unlockUser(userId: $u) }', { u: ada().user.id }, team.owner.token),
    );
    expect(unlockUser).toBe(true);
    const unlocked = await signIn(ada().user.email);
    expect(unlocked.body).toMatchObject({ mfa_required: true });
    const signedIn = await post('/api/v1/auth/mfa/verify', { mfa_token: unlocked.body.mfa_token, recovery_code: recoveryCodes[1] });
    expect(signedIn.status).toBe(200);

    const logged = await eventually(async () => {
      const { auditLogs } = expectNoErrors(
        await graphql<{ auditLogs: { nodes: { action: string }[] } }>(
          'query($o: ID!) { auditLogs(organizationId: $o, first: 100, filter: { actionPrefix: "identity." }) { nodes { action } } }',
          { o: team.organization.id },
          team.owner.token,
        ),
      );
      const actions = auditLogs.nodes.map((node) => node.action);
      return actions.includes('identity.user.lock_out') && actions.includes('identity.user.unlock.by_admin') ? actions : undefined;
    }, 'the lock-out and the unlock in the audit log');
    expect(logged).toContain('identity.sso.login_failed.mfa_code_invalid');
    expect(logged).toContain('identity.mfa.enabled');
  });

  it('ends a suspended member’s sessions: their refresh token is refused', async () => {
    const challenged = await signIn(ada().user.email);
    const signedIn = await post('/api/v1/auth/mfa/verify', { mfa_token: challenged.body.mfa_token, recovery_code: recoveryCodes[2] });
    expect(signedIn.status).toBe(200);
    expectNoErrors(
      await graphql(
        'mutation($id: ID!) { updateMember(id: $id, input: { status: SUSPENDED }) { id status } }',
        { id: ada().membership.id },
        team.owner.token,
      ),
    );
    const refreshed = await post('/api/v1/auth/token/refresh', { refresh_token: signedIn.body.refresh_token });
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.errors?.[0]?.extensions).toMatchObject({ reason: 'SESSION_ENDED' });
    const [row] = (await supergraph.dataSources.identity.query('SELECT revoked_reason FROM identity.sessions WHERE id = $1', [
      signedIn.body.session_id,
    ])) as { revoked_reason: string }[];
    expect(row!.revoked_reason).toBe('member_suspended');
  });
});
