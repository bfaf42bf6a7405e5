import { selfSignedCertificate, samlIdpMetadata } from '../kit/certificates';
import type { TestKeyPair } from '../kit/certificates';
import { expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import { TestSamlIdp, encodeResponse, readAuthnRequest, samlId, wrapSignature } from '../kit/saml-idp';
import type { AssertionOptions, ReadAuthnRequest, WrappingVariant } from '../kit/saml-idp';
import { uniqueEmail } from '../kit/seed';
import type { SeededOrganization } from '../kit/seed';
import { TEST_REDIS_URL, startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';
import { freePort } from '../kit/test-services';

/**
 * SAML 2.0 sign-in through the gateway's single origin, with Redis keeping the requests under
 * way and the assertions already used: the test plays the identity provider, reading the
 * AuthnRequest of our login redirect and posting responses it builds and signs (xml-crypto)
 * with a key and certificate it made; then the session's access token on /graphql; and each
 * way a response must be refused, each refusal a fact for the audit log.
 */
let supergraph: TestSupergraph;
let origin: string;
let team: SeededOrganization;
let idp: TestSamlIdp;
/** The provider's previous key: its certificate is still in the configuration (a rotation under way). */
let previousKeys: TestKeyPair;
/** A key the configuration does not know. */
let strangerKeys: TestKeyPair;
/** Imported from the provider's metadata; provisions accounts, admins by group. */
let configId: string;

const IDP_ENTITY_ID = 'https://idp.example.test/saml/metadata';
const IDP_SSO_URL = 'https://idp.example.test/saml/sso';

interface Answer {
  status: number;
  contentType: string | null;
  location: string | null;
  text: string;
  body: Record<string, unknown> & { errors?: { message: string; extensions?: { code?: string; field?: string; reason?: string } }[] };
}

async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  const contentType = response.headers.get('content-type');
  return {
    status: response.status,
    contentType,
    location: response.headers.get('location'),
    text,
    body: text && contentType?.includes('json') ? (JSON.parse(text) as Answer['body']) : {},
  };
}

const get = async (url: string) => answerOf(await fetch(url, { redirect: 'manual' }));

/** Posts the form the provider's page would post to the ACS. */
const post = async (fields: Record<string, string>) =>
  answerOf(
    await fetch(`${origin}/api/v1/auth/sso/saml/callback`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    }),
  );

/** Starts a sign-in at our login route and reads the AuthnRequest it sends the browser to the provider with. */
async function startSignIn(id = configId): Promise<ReadAuthnRequest> {
  const started = await get(`${origin}/api/v1/auth/sso/saml/login?config_id=${encodeURIComponent(id)}`);
  expect(started.status).toBe(302);
  return readAuthnRequest(new URL(started.location!));
}

/** What the provider asserts in answer to `request`, for `email`. */
const answering = (request: ReadAuthnRequest, email: string, changes: Partial<AssertionOptions> = {}): AssertionOptions => ({
  email,
  audience: request.issuer,
  recipient: request.acsUrl,
  inResponseTo: request.id,
  ...changes,
});

const postResponse = (request: ReadAuthnRequest, xml: string) =>
  post({ SAMLResponse: encodeResponse(xml), RelayState: request.relayState ?? '' });

async function facts(): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  return (await supergraph.dataSources.identity.query(
    `SELECT type, payload FROM identity.outbox WHERE type LIKE 'identity.sso.%' AND payload->>'ssoConfigId' = $1 ORDER BY sequence`,
    [configId],
  )) as { type: string; payload: Record<string, unknown> }[];
}

async function expectRefused(answer: Answer, reason: string, message?: RegExp): Promise<void> {
  expect({ status: answer.status, contentType: answer.contentType, extensions: answer.body.errors?.[0]?.extensions }).toEqual({
    status: 401,
    contentType: expect.stringContaining('application/json'),
    extensions: { code: 'UNAUTHENTICATED', reason },
  });
  if (message) expect(answer.body.errors?.[0]?.message).toMatch(message);
  expect(answer.text).not.toContain('access_token');
  expect((await facts()).at(-1)).toEqual({
    type: 'identity.sso.login_failed',
    payload: expect.objectContaining({ reason, providerType: 'saml', organizationId: team.organization.id }),
  });
}

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  supergraph = await startTestSupergraph({ GATEWAY_PORT: String(port), REDIS_URL: TEST_REDIS_URL });
  idp = new TestSamlIdp(IDP_ENTITY_ID, selfSignedCertificate({ days: 365, commonName: 'idp.example.test' }));
  previousKeys = selfSignedCertificate({ days: 365, commonName: 'idp.example.test (previous)' });
  strangerKeys = selfSignedCertificate({ days: 365, commonName: 'idp.example.test' });
  team = await supergraph.seed.org().withMember({ name: 'Ada' }).create();
  const { createSsoConfig } = expectNoErrors(
    await supergraph.gateway<{ createSsoConfig: { id: string } }, { input: Record<string, unknown> }>(
      'mutation($input: CreateSsoConfigInput!) { createSsoConfig(input: $input) { id } }',
      {
        input: {
          organizationId: team.organization.id,
          providerType: 'SAML',
          providerName: 'Test IdP',
          metadataXml: samlIdpMetadata({
            entityId: IDP_ENTITY_ID,
            ssoUrl: IDP_SSO_URL,
            certificates: [previousKeys.certificate, idp.keys.certificate],
          }),
          autoProvisionUsers: true,
          defaultRole: 'guest',
          attributeMapping: { groupRoles: [{ group: 'it-admins', role: 'admin' }] },
        },
      },
      { token: team.owner.token },
    ),
  );
  configId = createSsoConfig.id;
});
afterAll(async () => {
  await supergraph?.stop();
});

describe('SAML sign-in', () => {
  it('signs an existing member in with a signed assertion, and the access token works on /graphql', async () => {
    const ada = team.members[0]!;
    const request = await startSignIn();
    expect(request).toMatchObject({
      destination: IDP_SSO_URL,
      acsUrl: `${origin}/api/v1/auth/sso/saml/callback`,
      issuer: `${origin}/api/v1/auth/sso/saml/metadata/${configId}`,
      relayState: configId,
      id: expect.stringMatching(/^_[0-9a-f]{40}$/),
    });

    const signedIn = await postResponse(
      request,
      idp.signedResponse(answering(request, ada.user.email.toUpperCase()), { destination: request.acsUrl }),
    );
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
    expect((await facts()).at(-1)).toEqual({
      type: 'identity.sso.login_succeeded',
      payload: expect.objectContaining({ userId: ada.user.id, sessionId: signedIn.body.session_id, providerType: 'saml' }),
    });
  });

  it('accepts an assertion signed with the previous key while both certificates are configured, and provisions by group', async () => {
    const email = uniqueEmail('grace');
    const request = await startSignIn();
    const assertion = idp.sign(
      idp.assertion(answering(request, email, { name: 'Grace Hopper', groups: ['staff', 'it-admins'] })),
      previousKeys,
    );
    const signedIn = await postResponse(request, idp.response(assertion, { destination: request.acsUrl, inResponseTo: request.id }));
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.provisioned).toBe(true);
    const { me, myPermissions } = expectNoErrors(
      await supergraph.gateway<{ me: { email: string; name: string }; myPermissions: string[] }, undefined>(
        '{ me { email name } myPermissions }',
        undefined,
        { token: signedIn.body.access_token as string },
      ),
    );
    expect(me).toEqual({ email, name: 'Grace Hopper' });
    expect(myPermissions).toContain('sso:manage');
  });

  it('publishes the service provider metadata: entity id, ACS, signed assertions wanted', async () => {
    const metadata = await get(`${origin}/api/v1/auth/sso/saml/metadata/${configId}`);
    expect(metadata.status).toBe(200);
    expect(metadata.contentType).toContain('application/samlmetadata+xml');
    expect(metadata.text).toContain(`entityID="${origin}/api/v1/auth/sso/saml/metadata/${configId}"`);
    expect(metadata.text).toContain(`Location="${origin}/api/v1/auth/sso/saml/callback"`);
    expect(metadata.text).toContain('WantAssertionsSigned="true"');
  });

  it('answers an unknown, disabled or OIDC configuration with 404 as JSON, never HTML', async () => {
    const { createSsoConfig } = expectNoErrors(
      await supergraph.gateway<{ createSsoConfig: { id: string } }, { input: Record<string, unknown> }>(
        'mutation($input: CreateSsoConfigInput!) { createSsoConfig(input: $input) { id } }',
        {
          input: {
            organizationId: team.organization.id,
            providerType: 'SAML',
            providerName: 'Disabled',
            enabled: false,
            samlEntityId: IDP_ENTITY_ID,
            samlSsoUrl: IDP_SSO_URL,
            samlCertificates: [idp.keys.certificate],
          },
        },
        { token: team.owner.token },
      ),
    );
    for (const id of ['sso_01UNKNOWN', createSsoConfig.id, '<script>']) {
      for (const url of [
        `${origin}/api/v1/auth/sso/saml/login?config_id=${encodeURIComponent(id)}`,
        `${origin}/api/v1/auth/sso/saml/metadata/${encodeURIComponent(id)}`,
      ]) {
        const answer = await get(url);
        expect({ url, status: answer.status, contentType: answer.contentType }).toEqual({
          url,
          status: 404,
          contentType: expect.stringContaining('application/json'),
        });
        expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'config_id' });
      }
    }
    const missing = await get(`${origin}/api/v1/auth/sso/saml/login`);
    expect(missing.status).toBe(400);
    expect(missing.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'config_id' });
    const empty = await post({ RelayState: configId });
    expect(empty.status).toBe(400);
    expect(empty.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'SAMLResponse' });
  });

  it('refuses an unsigned assertion, and one signed by a key the configuration does not hold', async () => {
    const email = team.members[0]!.user.email;
    let request = await startSignIn();
    const unsigned = idp.response(idp.assertion(answering(request, email)), { destination: request.acsUrl, inResponseTo: request.id });
    await expectRefused(await postResponse(request, unsigned), 'invalid_signature');

    request = await startSignIn();
    const foreign = idp.response(idp.sign(idp.assertion(answering(request, email)), strangerKeys), {
      destination: request.acsUrl,
      inResponseTo: request.id,
    });
    await expectRefused(await postResponse(request, foreign), 'invalid_signature');

    // A signed response around an unsigned assertion: the assertion itself must be signed.
    request = await startSignIn();
    const outerOnly = idp.sign(
      idp.response(idp.assertion(answering(request, email)), { destination: request.acsUrl, inResponseTo: request.id }),
    );
    await expectRefused(await postResponse(request, outerOnly), 'invalid_signature');
  });

  it.each(['XSW1', 'XSW2', 'XSW3', 'XSW4', 'XSW5', 'XSW6', 'XSW7', 'XSW8'] as WrappingVariant[])(
    'refuses signature wrapping %s: the genuine member signed in, the owner read',
    async (variant) => {
      const request = await startSignIn();
      const attack = wrapSignature(
        idp,
        variant,
        answering(request, team.members[0]!.user.email),
        answering(request, team.owner.user.email, { name: 'Not the owner' }),
        { destination: request.acsUrl, inResponseTo: request.id },
      );
      await expectRefused(await postResponse(request, attack), 'invalid_signature');
    },
  );

  it.each([
    ['expired', { issuedInMs: -20 * 60_000, notBeforeInMs: -21 * 60_000, notOnOrAfterInMs: -15 * 60_000 }, 'expired_assertion'],
    ['not yet valid', { notBeforeInMs: 10 * 60_000, notOnOrAfterInMs: 15 * 60_000 }, 'expired_assertion'],
    ['issued too long ago, though still claiming to hold', { issuedInMs: -30 * 60_000, notBeforeInMs: -31 * 60_000 }, 'expired_assertion'],
    ['meant for another service provider (audience)', { audience: 'https://other-sp.example.test/saml' }, 'wrong_audience'],
    ['confirmed for another ACS (recipient)', { recipient: 'https://other-sp.example.test/acs' }, 'wrong_recipient'],
    ['issued by another entity than the configured provider', { issuer: 'https://evil.example.test/saml' }, 'wrong_issuer'],
  ] as [string, Partial<AssertionOptions>, string][])('refuses an assertion %s', async (_what, changes, reason) => {
    const request = await startSignIn();
    await expectRefused(
      await postResponse(
        request,
        idp.signedResponse(answering(request, team.members[0]!.user.email, changes), { destination: request.acsUrl }),
      ),
      reason,
    );
  });

  it('refuses a response sent to another address (destination)', async () => {
    const request = await startSignIn();
    await expectRefused(
      await postResponse(
        request,
        idp.signedResponse(answering(request, team.members[0]!.user.email), { destination: 'https://other-sp.example.test/acs' }),
      ),
      'wrong_destination',
    );
  });

  it('refuses a response to a request it never sent, and one whose assertion answers another request', async () => {
    const email = team.members[0]!.user.email;
    const request = await startSignIn();
    const forged = samlId();
    await expectRefused(
      await postResponse(request, idp.signedResponse(answering(request, email, { inResponseTo: forged }), { destination: request.acsUrl })),
      'invalid_in_response_to',
      /answers no sign-in under way/,
    );

    const other = await startSignIn();
    // The response names a live request; the signed assertion another one.
    await expectRefused(
      await postResponse(
        other,
        idp.signedResponse(answering(other, email, { inResponseTo: request.id }), { destination: other.acsUrl, inResponseTo: other.id }),
      ),
      'invalid_in_response_to',
    );
    // Each request is used up by the response that named it, accepted or not.
    await expectRefused(
      await postResponse(other, idp.signedResponse(answering(other, email), { destination: other.acsUrl })),
      'invalid_in_response_to',
      /already used/,
    );
  });

  it('refuses a replay: the same response posted again, and its assertion moved into the response to a new request', async () => {
    const email = team.members[0]!.user.email;
    const request = await startSignIn();
    const genuine = idp.signedResponse(answering(request, email), { destination: request.acsUrl });
    expect((await postResponse(request, genuine)).status).toBe(200);
    await expectRefused(await postResponse(request, genuine), 'invalid_in_response_to', /already used/);

    // An assertion that does not name its request (InResponseTo is on the unsigned response only) is refused by its id.
    const first = await startSignIn();
    const loose = idp.sign(idp.assertion(answering(first, email, { inResponseTo: null })));
    expect((await postResponse(first, idp.response(loose, { destination: first.acsUrl, inResponseTo: first.id }))).status).toBe(200);
    const second = await startSignIn();
    await expectRefused(
      await postResponse(second, idp.response(loose, { destination: second.acsUrl, inResponseTo: second.id })),
      'replayed_assertion',
    );
  });

  it('refuses a response that is not a SAML response, and an error status from the provider', async () => {
    let request = await startSignIn();
    await expectRefused(
      await post({ SAMLResponse: encodeResponse('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'), RelayState: configId }),
      'invalid_saml_response',
    );
    await expectRefused(await post({ SAMLResponse: 'not base64 !', RelayState: configId }), 'invalid_saml_response');
    await expectRefused(
      await postResponse(
        request,
        idp.response('', {
          destination: request.acsUrl,
          inResponseTo: request.id,
          statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
        }),
      ),
      'provider_error',
    );
    // Without a RelayState naming a configuration, a response to no request of ours names no organization: refused, no fact.
    request = await startSignIn();
    const before = (await facts()).length;
    const anonymous = await post({
      SAMLResponse: encodeResponse(
        idp.signedResponse(answering(request, team.members[0]!.user.email, { inResponseTo: samlId() }), { destination: request.acsUrl }),
      ),
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'invalid_in_response_to' });
    expect((await facts()).length).toBe(before);
  });

  it('shows the sign-ins and the refusals in the organization’s audit log', async () => {
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
      const ours = auditLogs.nodes.filter((node) => node.targets.some((target) => target.id === configId));
      const actions = new Set(ours.map((node) => node.action));
      return ['identity.sso.login', 'identity.sso.login_failed.invalid_signature', 'identity.sso.login_failed.replayed_assertion'].every(
        (action) => actions.has(action),
      )
        ? ours
        : undefined;
    }, 'the SAML sign-in facts in the audit log');
    expect(logged.find((node) => node.action === 'identity.sso.login_failed.invalid_signature')).toMatchObject({ outcome: 'DENIED' });
  });
});
