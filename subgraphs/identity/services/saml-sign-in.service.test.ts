import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { BadUserInputError, NotFoundError, UnauthenticatedError } from '../../../platform/errors';
import { Outbox } from '../../../platform/outbox/outbox';
import { selfSignedCertificate } from '../../../tests/kit/certificates';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { TestSamlIdp, encodeResponse, readAuthnRequest } from '../../../tests/kit/saml-idp';
import type { AssertionOptions, ReadAuthnRequest } from '../../../tests/kit/saml-idp';
import { openSeed, principalFor } from '../../../tests/kit/seed';
import type { Seed, SeededOrganization } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';
import { SsoProviderType } from '../entities/sso-config.entity';
import { identitySubgraph } from '../index';
import { SAML_CALLBACK_PATH, SamlSignInService } from './saml-sign-in.service';
import { MemorySignInStateStore } from './sign-in-state.store';
import { SsoSignInService } from './sso-sign-in.service';

const PUBLIC_URL = 'http://127.0.0.1:9';
const IDP_ENTITY_ID = 'https://idp.example.test/saml';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;
let dataSource: DataSource;
let saml: SamlSignInService;
const idp = new TestSamlIdp(IDP_ENTITY_ID, selfSignedCertificate({ days: 365 }));

beforeAll(async () => {
  database = await createTestDatabase();
  ({ seed, close } = await openSeed(testConfig({ DATABASE_URL: database.url }), database.url));
  dataSource = await createDataSource(identitySubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'test-saml',
  }).initialize();
  const states = new MemorySignInStateStore();
  const signIns = new SsoSignInService(
    dataSource,
    seed.identity.users,
    seed.identity.members,
    seed.identity.sessions,
    new Outbox(),
    seed.identity.mfa,
    seed.identity.signInProtection,
    states,
  );
  saml = new SamlSignInService(seed.identity.ssoConfigs, signIns, states, PUBLIC_URL);
});
afterAll(async () => {
  await dataSource?.destroy();
  await close?.();
  await database?.drop();
});

/** An organization with one member and a SAML configuration of its own (email read from `mail`). */
async function setUp(): Promise<{ team: SeededOrganization; configId: string }> {
  const team = await seed.org().withMember().create();
  const created = await seed.identity.ssoConfigs.create(principalFor(team.owner.user.id, team.organization.id), {
    organizationId: team.organization.id,
    providerType: SsoProviderType.SAML,
    providerName: 'Spec',
    enabled: true,
    samlEntityId: IDP_ENTITY_ID,
    samlSsoUrl: 'https://idp.example.test/saml/sso?tenant=spec',
    samlCertificates: [idp.keys.certificate],
    autoProvisionUsers: false,
    defaultRole: 'member',
  });
  return { team, configId: created.id };
}

const answering = (request: ReadAuthnRequest, email: string, changes: Partial<AssertionOptions> = {}): AssertionOptions => ({
  email,
  audience: request.issuer,
  recipient: request.acsUrl,
  inResponseTo: request.id,
  ...changes,
});

const failures = async (configId: string) =>
  (
    (await dataSource.query(
      `SELECT payload FROM identity.outbox WHERE type = 'identity.sso.login_failed' AND payload->>'ssoConfigId' = $1 ORDER BY sequence`,
      [configId],
    )) as { payload: { reason: string } }[]
  ).map((row) => row.payload.reason);

describe('SamlSignInService', () => {
  it('starts a sign-in at the provider’s URL with an AuthnRequest for this configuration, RelayState naming it', async () => {
    const { configId } = await setUp();
    const redirect = await saml.begin(configId);
    expect(`${redirect.origin}${redirect.pathname}`).toBe('https://idp.example.test/saml/sso');
    expect(redirect.searchParams.get('tenant')).toBe('spec');
    expect(readAuthnRequest(redirect)).toMatchObject({
      issuer: `${PUBLIC_URL}/api/v1/auth/sso/saml/metadata/${configId}`,
      acsUrl: `${PUBLIC_URL}${SAML_CALLBACK_PATH}`,
      relayState: configId,
    });
    // The provider chooses the NameID format and the authentication method.
    expect(readAuthnRequest(redirect).xml).not.toMatch(/RequestedAuthnContext|Format=/);
  });

  it('signs a member in from a signed assertion, reading the email from the NameID when no attribute carries it', async () => {
    const { team, configId } = await setUp();
    const member = team.members[0]!;
    const request = readAuthnRequest(await saml.begin(configId));
    const assertion = idp
      .assertion(answering(request, member.user.email))
      .replace(/<saml:AttributeStatement>.*<\/saml:AttributeStatement>/, '');
    const signedIn = await saml.complete({
      SAMLResponse: encodeResponse(idp.response(idp.sign(assertion), { destination: request.acsUrl, inResponseTo: request.id })),
      RelayState: configId,
    });
    expect(signedIn).toMatchObject({ userId: member.user.id, organizationId: team.organization.id, provisioned: false });
    expect(await failures(configId)).toEqual([]);
  });

  it('refuses, and states why: no request, a replayed assertion, an unsigned one, a document type declaration', async () => {
    const { team, configId } = await setUp();
    const email = team.members[0]!.user.email;
    const request = readAuthnRequest(await saml.begin(configId));
    const loose = idp.sign(idp.assertion(answering(request, email, { inResponseTo: null })));
    await saml.complete({
      SAMLResponse: encodeResponse(idp.response(loose, { destination: request.acsUrl, inResponseTo: request.id })),
    });
    // The request is used up; a new request does not make the same assertion good again.
    await expect(
      saml.complete({
        SAMLResponse: encodeResponse(idp.response(loose, { destination: request.acsUrl, inResponseTo: request.id })),
        RelayState: configId,
      }),
    ).rejects.toThrow(/already used/);
    const next = readAuthnRequest(await saml.begin(configId));
    await expect(
      saml.complete({ SAMLResponse: encodeResponse(idp.response(loose, { destination: next.acsUrl, inResponseTo: next.id })) }),
    ).rejects.toThrow(/already used to sign in/);

    const third = readAuthnRequest(await saml.begin(configId));
    await expect(
      saml.complete({
        SAMLResponse: encodeResponse(
          idp.response(idp.assertion(answering(third, email)), { destination: third.acsUrl, inResponseTo: third.id }),
        ),
      }),
    ).rejects.toThrow(UnauthenticatedError);
    await expect(
      saml.complete({
        SAMLResponse: encodeResponse('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'),
        RelayState: configId,
      }),
    ).rejects.toThrow(/document type declaration/);
    expect(await failures(configId)).toEqual([
      'invalid_in_response_to',
      'replayed_assertion',
      'invalid_signature',
      'invalid_saml_response',
    ]);
  });

  it('asks for the form field, and answers NOT_FOUND for a configuration that is not an enabled SAML one', async () => {
    await expect(saml.complete({})).rejects.toThrow(BadUserInputError);
    await expect(saml.begin('sso_01NOPE')).rejects.toThrow(NotFoundError);
    await expect(saml.metadata('not-an-id')).rejects.toThrow(NotFoundError);
    const { configId } = await setUp();
    expect(await saml.metadata(configId)).toContain(`entityID="${PUBLIC_URL}/api/v1/auth/sso/saml/metadata/${configId}"`);
    // Without a request of ours or a configuration named, nobody's audit log is written.
    await expect(saml.complete({ SAMLResponse: encodeResponse('<x/>') })).rejects.toThrow(UnauthenticatedError);
  });
});
