import { expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import { startOidcProvider } from '../kit/oidc-provider';
import type { RunningOidcProvider } from '../kit/oidc-provider';
import { uniqueEmail } from '../kit/seed';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';
import { freePort } from '../kit/test-services';

/**
 * OpenID Connect sign-in through the gateway's single origin, against a real OpenID Provider
 * (oidc-provider) the test starts: the authorization code flow with PKCE played as a browser
 * would, then the session's access token on /graphql; and each way a sign-in must fail.
 */
let supergraph: TestSupergraph;
let provider: RunningOidcProvider;
let origin: string;
let team: SeededOrganization;
/** Provisions accounts, admins by group; a confidential client (secret). */
let provisioning: string;
/** Provisions nobody; a public client (PKCE, no secret). */
let membersOnly: string;

interface Answer {
  status: number;
  contentType: string | null;
  location: string | null;
  body: Record<string, unknown> & { errors?: { message: string; extensions?: { code?: string; field?: string; reason?: string } }[] };
}

/** The browser's cookie for our origin (the state cookie the login route sets). */
let browserCookie = '';

async function get(url: string, options: { cookie?: string } = {}): Promise<Answer> {
  const response = await fetch(url, { redirect: 'manual', headers: { cookie: options.cookie ?? browserCookie } });
  const setCookie = response.headers.getSetCookie().find((line) => line.startsWith('auralink_sso_state='));
  if (setCookie) browserCookie = setCookie.split(';')[0]!;
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    location: response.headers.get('location'),
    body: text ? (JSON.parse(text) as Answer['body']) : {},
  };
}

const login = (configId: string) => get(`${origin}/api/v1/auth/sso/oidc/login?config_id=${encodeURIComponent(configId)}`);

/** Starts a sign-in and plays the provider's pages as `email`: the callback URL the provider redirects to (not yet followed). */
async function throughProvider(configId: string, email: string, change?: (authorizationUrl: URL) => void): Promise<URL> {
  const started = await login(configId);
  expect(started.status).toBe(302);
  const authorizationUrl = new URL(started.location!);
  change?.(authorizationUrl);
  return provider.signIn(authorizationUrl.toString(), email);
}

async function createConfig(input: Record<string, unknown>): Promise<string> {
  const { createSsoConfig } = expectNoErrors(
    await supergraph.gateway<{ createSsoConfig: { id: string } }, { input: Record<string, unknown> }>(
      'mutation($input: CreateSsoConfigInput!) { createSsoConfig(input: $input) { id } }',
      { input: { organizationId: team.organization.id, providerType: 'OIDC', oidcIssuer: provider.issuer, ...input } },
      { token: team.owner.token },
    ),
  );
  return createSsoConfig.id;
}

async function facts(configId: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  return (await supergraph.dataSources.identity.query(
    `SELECT type, payload FROM identity.outbox WHERE type LIKE 'identity.sso.%' AND payload->>'ssoConfigId' = $1 ORDER BY sequence`,
    [configId],
  )) as { type: string; payload: Record<string, unknown> }[];
}

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  supergraph = await startTestSupergraph({ GATEWAY_PORT: String(port) });
  const callback = `${origin}/api/v1/auth/sso/oidc/callback`;
  provider = await startOidcProvider({
    clients: [
      { clientId: 'auralink', clientSecret: 'a-long-client-secret-for-the-test', redirectUris: [callback] },
      { clientId: 'auralink-public', redirectUris: [callback] },
    ],
  });
  team = await supergraph.seed.org().withMember({ name: 'Ada' }).create();
  // The provider may write an address in another case: it is the same person.
  provider.addAccount({ sub: 'op-ada', email: team.members[0]!.user.email.toUpperCase(), name: 'Ada Lovelace' });
  provisioning = await createConfig({
    providerName: 'Test OP',
    oidcClientId: 'auralink',
    clientSecret: 'a-long-client-secret-for-the-test',
    autoProvisionUsers: true,
    defaultRole: 'guest',
    attributeMapping: { groupRoles: [{ group: 'it-admins', role: 'admin' }] },
  });
  membersOnly = await createConfig({ providerName: 'Test OP (members only)', oidcClientId: 'auralink-public' });
});
afterAll(async () => {
  await provider?.close();
  await supergraph?.stop();
});

describe('OIDC sign-in', () => {
  it('signs an existing member in with code + PKCE, and the access token works on /graphql', async () => {
    const ada = team.members[0]!;
    const started = await login(provisioning);
    expect(started.status).toBe(302);
    const authorizationUrl = new URL(started.location!);
    expect(authorizationUrl.origin).toBe(provider.issuer);
    expect(Object.fromEntries(authorizationUrl.searchParams)).toMatchObject({
      client_id: 'auralink',
      response_type: 'code',
      code_challenge_method: 'S256',
      redirect_uri: `${origin}/api/v1/auth/sso/oidc/callback`,
      scope: 'openid email profile',
      state: expect.any(String),
      nonce: expect.any(String),
      code_challenge: expect.any(String),
    });

    const callback = await provider.signIn(authorizationUrl.toString(), ada.user.email);
    expect(callback.origin).toBe(origin);
    const signedIn = await get(callback.toString());
    expect(signedIn).toMatchObject({ status: 200, contentType: expect.stringContaining('application/json') });
    expect(signedIn.body).toMatchObject({
      token_type: 'Bearer',
      access_token: expect.any(String),
      refresh_token: expect.stringMatching(/^rt_/),
      session_id: expect.stringMatching(/^sess_/),
      user_id: ada.user.id,
      organization_id: team.organization.id,
      provisioned: false,
    });
    const me = await supergraph.gateway<{ me: { id: string; email: string } }, undefined>('{ me { id email } }', undefined, {
      token: signedIn.body.access_token as string,
    });
    expect(expectNoErrors(me).me).toEqual({ id: ada.user.id, email: ada.user.email });
    expect((await facts(provisioning)).at(-1)).toEqual({
      type: 'identity.sso.login_succeeded',
      payload: expect.objectContaining({
        userId: ada.user.id,
        sessionId: signedIn.body.session_id,
        provisioned: false,
        providerType: 'oidc',
      }),
    });
  });

  it('provisions someone new with the role of their group, when the configuration allows', async () => {
    const email = uniqueEmail('grace');
    provider.addAccount({ sub: 'op-grace', email, name: 'Grace Hopper', groups: ['staff', 'it-admins'] });
    const signedIn = await get((await throughProvider(provisioning, email)).toString());
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.provisioned).toBe(true);
    const token = signedIn.body.access_token as string;
    const { me, myPermissions } = expectNoErrors(
      await supergraph.gateway<{ me: { email: string; name: string }; myPermissions: string[] }, undefined>(
        '{ me { email name } myPermissions }',
        undefined,
        {
          token,
        },
      ),
    );
    expect(me).toEqual({ email, name: 'Grace Hopper' });
    expect(myPermissions).toContain('sso:manage');
  });

  it('refuses someone who is not a member when the configuration provisions nobody (a public client, PKCE only)', async () => {
    const email = uniqueEmail('stranger');
    provider.addAccount({ sub: 'op-stranger', email });
    const refused = await get((await throughProvider(membersOnly, email)).toString());
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'not_provisioned' });
    expect((await facts(membersOnly)).at(-1)).toEqual({
      type: 'identity.sso.login_failed',
      payload: expect.objectContaining({ reason: 'not_provisioned', subject: email }),
    });
  });

  it('answers an unknown or disabled configuration with 404 as JSON, never HTML', async () => {
    const disabled = await createConfig({ providerName: 'Disabled', oidcClientId: 'auralink', enabled: false });
    for (const configId of ['sso_01UNKNOWN', disabled, '<script>']) {
      const answer = await login(configId);
      expect({ configId, status: answer.status, contentType: answer.contentType }).toEqual({
        configId,
        status: 404,
        contentType: expect.stringContaining('application/json'),
      });
      expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'config_id' });
    }
    const missing = await get(`${origin}/api/v1/auth/sso/oidc/login`);
    expect(missing.status).toBe(400);
    expect(missing.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'config_id' });
  });

  it('refuses a callback whose state it did not issue, one opened in another browser, and one used a second time', async () => {
    const forged = await get(`${origin}/api/v1/auth/sso/oidc/callback?code=forged&state=not-a-state-we-issued`);
    expect(forged.status).toBe(401);
    expect(forged.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'invalid_state' });

    const email = team.members[0]!.user.email;
    // A callback link someone else started, opened in a browser without its state cookie.
    const elsewhere = await get((await throughProvider(provisioning, email)).toString(), { cookie: 'auralink_sso_state=another' });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('another browser'),
      extensions: { code: 'UNAUTHENTICATED', reason: 'invalid_state' },
    });

    const callback = await throughProvider(provisioning, email);
    expect((await get(callback.toString())).status).toBe(200);
    const replayed = await get(callback.toString());
    expect(replayed.status).toBe(401);
    expect(replayed.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('already used'),
      extensions: { code: 'UNAUTHENTICATED', reason: 'invalid_state' },
    });
  });

  it('refuses an expired authorization code, as the provider does', async () => {
    const callback = await throughProvider(provisioning, team.members[0]!.user.email);
    provider.expireAuthorizationCodes();
    const refused = await get(callback.toString());
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('invalid_grant'),
      extensions: { code: 'UNAUTHENTICATED', reason: 'code_refused' },
    });
    expect((await facts(provisioning)).at(-1)).toMatchObject({ type: 'identity.sso.login_failed', payload: { reason: 'code_refused' } });
  });

  it('refuses an ID token carrying another nonce than the one the sign-in started with', async () => {
    const callback = await throughProvider(provisioning, team.members[0]!.user.email, (url) =>
      url.searchParams.set('nonce', 'another-nonce'),
    );
    const refused = await get(callback.toString());
    expect(refused.status).toBe(401);
    expect(refused.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('nonce'),
      extensions: { code: 'UNAUTHENTICATED', reason: 'invalid_id_token' },
    });
  });

  it('refuses an ID token changed after the provider signed it', async () => {
    const callback = await throughProvider(provisioning, team.members[0]!.user.email);
    provider.tamperIdTokens(true);
    try {
      const refused = await get(callback.toString());
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'invalid_id_token' });
      expect(JSON.stringify(refused.body)).not.toContain('access_token');
    } finally {
      provider.tamperIdTokens(false);
    }
    expect((await facts(provisioning)).at(-1)).toMatchObject({
      type: 'identity.sso.login_failed',
      payload: { reason: 'invalid_id_token' },
    });
  });

  it('shows each sign-in and each refusal in the organization’s audit log', async () => {
    const signedIn = await get((await throughProvider(membersOnly, team.members[0]!.user.email)).toString());
    expect(signedIn.status).toBe(200);
    const email = uniqueEmail('unknown');
    provider.addAccount({ sub: `op-${email}`, email });
    expect((await get((await throughProvider(membersOnly, email)).toString())).status).toBe(403);
    const logged = await eventually(async () => {
      const { auditLogs } = expectNoErrors(
        await supergraph.gateway<
          { auditLogs: { nodes: { action: string; outcome: string; targets: { type: string; id: string }[] }[] } },
          { o: string }
        >(
          'query($o: ID!) { auditLogs(organizationId: $o, first: 100, filter: { actionPrefix: "identity.sso." }) { nodes { action outcome targets { type id } } } }',
          { o: team.organization.id },
          { token: team.owner.token },
        ),
      );
      const ours = auditLogs.nodes.filter((node) => node.targets.some((target) => target.id === membersOnly));
      return ours.some((node) => node.action === 'identity.sso.login_failed.not_provisioned') &&
        ours.some((node) => node.action === 'identity.sso.login')
        ? ours
        : undefined;
    }, 'the sign-in facts in the audit log');
    expect(logged.find((node) => node.action === 'identity.sso.login')).toMatchObject({
      outcome: 'SUCCESS',
      targets: expect.arrayContaining([{ type: 'session', id: signedIn.body.session_id }]),
    });
  });
});
