import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { BadUserInputError, ForbiddenError, NotFoundError } from '../../../platform/errors';
import { secretBoxFor } from '../../../platform/secrets';
import { selfSignedCertificate, samlIdpMetadata } from '../../../tests/kit/certificates';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { openSeed, principalFor } from '../../../tests/kit/seed';
import type { Seed } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';
import { SsoProviderType } from '../entities/sso-config.entity';
import { identitySubgraph } from '../index';
import type { CreateSsoConfigInput } from '../types/create-sso-config.input';
import { SsoConfigService } from './sso-config.service';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;
let dataSource: DataSource;
let service: SsoConfigService;
const config = () => testConfig({ DATABASE_URL: database.url });

const longLived = selfSignedCertificate({ days: 400, commonName: 'idp-2027.example.test' });
const expiring = selfSignedCertificate({ days: 10, commonName: 'idp-2026.example.test' });

beforeAll(async () => {
  database = await createTestDatabase();
  ({ seed, close } = await openSeed(config(), database.url));
  dataSource = await createDataSource(identitySubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'test-sso-configs',
  }).initialize();
  service = new SsoConfigService(dataSource, secretBoxFor(config()));
});
afterAll(async () => {
  await dataSource?.destroy();
  await close?.();
  await database?.drop();
});

async function team() {
  const { organization, owner } = await seed.org().create();
  return { organizationId: organization.id, principal: principalFor(owner.user.id, organization.id) };
}

function saml(organizationId: string, fields: Partial<CreateSsoConfigInput> = {}): CreateSsoConfigInput {
  return {
    organizationId,
    providerType: SsoProviderType.SAML,
    providerName: 'Okta',
    enabled: true,
    samlEntityId: 'https://okta.example.test/saml',
    samlSsoUrl: 'https://okta.example.test/sso',
    samlCertificates: [longLived.certificate],
    autoProvisionUsers: true,
    defaultRole: 'member',
    ...fields,
  };
}

function oidc(organizationId: string, fields: Partial<CreateSsoConfigInput> = {}): CreateSsoConfigInput {
  return {
    organizationId,
    providerType: SsoProviderType.OIDC,
    providerName: 'Azure AD',
    enabled: true,
    oidcIssuer: 'https://login.example.test/tenant/v2.0',
    oidcClientId: 'auralink',
    clientSecret: 'the-client-secret-value',
    autoProvisionUsers: false,
    defaultRole: 'guest',
    ...fields,
  };
}

/** The error a promise rejects with, to look at its code and field. */
async function refusal(promise: Promise<unknown>): Promise<{ name: string; field?: unknown; message: string }> {
  try {
    await promise;
  } catch (error) {
    const coded = error as Error & { extensions?: { field?: unknown } };
    return { name: coded.constructor.name, field: coded.extensions?.field, message: coded.message };
  }
  throw new Error('expected a refusal');
}

describe('SsoConfigService', () => {
  it('creates, lists, changes and deletes an organization’s SAML configuration', async () => {
    const { organizationId, principal } = await team();
    const created = await service.create(principal, saml(organizationId));
    expect(created).toMatchObject({
      id: expect.stringMatching(/^sso_/),
      providerType: SsoProviderType.SAML,
      providerName: 'Okta',
      samlEntityId: 'https://okta.example.test/saml',
      samlSsoUrl: 'https://okta.example.test/sso',
      certificateExpiresSoon: false,
      autoProvisionUsers: true,
      defaultRole: 'member',
      clientSecretSet: false,
      attributeMapping: { emailAttribute: 'email', nameAttribute: 'name', groupsAttribute: 'groups', groupRoles: [] },
    });
    expect(created.samlCertificates).toEqual([expect.objectContaining({ subject: 'CN=idp-2027.example.test', expiresSoon: false })]);
    expect((await service.list(principal, organizationId)).map((c) => c.id)).toEqual([created.id]);

    const changed = await service.update(principal, created.id, {
      enabled: false,
      defaultRole: 'role_admin',
      attributeMapping: { emailAttribute: 'mail', groupRoles: [{ group: 'Engineering Leads', role: 'admin' }] },
    });
    expect(changed).toMatchObject({
      enabled: false,
      defaultRole: 'admin',
      samlEntityId: 'https://okta.example.test/saml',
      attributeMapping: { emailAttribute: 'mail', nameAttribute: 'name', groupRoles: [{ group: 'Engineering Leads', role: 'admin' }] },
    });

    expect((await service.delete(principal, created.id)).id).toBe(created.id);
    expect(await refusal(service.get(principal, created.id))).toMatchObject({ name: NotFoundError.name, field: 'id' });
  });

  it('keeps each organization’s configurations to itself: another organization’s is NOT_FOUND', async () => {
    const home = await team();
    const other = await team();
    const theirs = await service.create(other.principal, oidc(other.organizationId));
    expect(await refusal(service.get(home.principal, theirs.id))).toMatchObject({ name: NotFoundError.name });
    expect(await refusal(service.update(home.principal, theirs.id, { enabled: false }))).toMatchObject({ name: NotFoundError.name });
    expect(await refusal(service.delete(home.principal, theirs.id))).toMatchObject({ name: NotFoundError.name });
    expect(await refusal(service.list(home.principal, other.organizationId))).toMatchObject({ name: ForbiddenError.name });
    expect(await refusal(service.create(home.principal, oidc(other.organizationId)))).toMatchObject({
      name: ForbiddenError.name,
      field: 'input.organizationId',
    });
    expect(await service.get(other.principal, theirs.id)).toMatchObject({ enabled: true });
  });

  it('stores the OIDC client secret encrypted and never answers it', async () => {
    const { organizationId, principal } = await team();
    const created = await service.create(principal, oidc(organizationId));
    expect(created.clientSecretSet).toBe(true);
    expect(JSON.stringify(created)).not.toContain('the-client-secret-value');
    const [row] = (await dataSource.query('SELECT * FROM identity.sso_configs WHERE id = $1', [created.id])) as Record<string, unknown>[];
    expect(JSON.stringify(row)).not.toContain('the-client-secret-value');
    expect(row!.oidc_client_secret_sealed).toMatch(/^v1\./);
    const stored = await service.forSignIn(created.id, SsoProviderType.OIDC);
    expect(service.clientSecretOf(stored)).toBe('the-client-secret-value');

    const removed = await service.update(principal, created.id, { clientSecret: null });
    expect(removed.clientSecretSet).toBe(false);
  });

  it('flags a configuration whose certificate expires within 30 days, and keeps several for a rotation', async () => {
    const { organizationId, principal } = await team();
    const rotating = await service.create(
      principal,
      saml(organizationId, { samlCertificates: [expiring.certificate, longLived.certificate] }),
    );
    expect(rotating.certificateExpiresSoon).toBe(true);
    expect(rotating.samlCertificates.map((c) => [c.subject, c.expiresSoon])).toEqual([
      ['CN=idp-2026.example.test', true],
      ['CN=idp-2027.example.test', false],
    ]);
    const soonest = rotating.samlCertificates[0]!.notAfter.getTime();
    expect(soonest).toBeGreaterThan(Date.now() + 9 * 24 * 3600_000);
    expect(soonest).toBeLessThan(Date.now() + 11 * 24 * 3600_000);

    const rotated = await service.update(principal, rotating.id, { samlCertificates: [longLived.certificate] });
    expect(rotated.certificateExpiresSoon).toBe(false);
  });

  it('fills entity id, SSO URL and certificates from the identity provider’s metadata XML', async () => {
    const { organizationId, principal } = await team();
    const xml = samlIdpMetadata({
      entityId: 'http://www.okta.example.test/exk1',
      ssoUrl: 'https://okta.example.test/app/sso/saml',
      certificates: [longLived.certificate, expiring.certificate],
    });
    const imported = await service.create(
      principal,
      saml(organizationId, { samlEntityId: undefined, samlSsoUrl: undefined, samlCertificates: undefined, metadataXml: xml }),
    );
    expect(imported).toMatchObject({
      samlEntityId: 'http://www.okta.example.test/exk1',
      samlSsoUrl: 'https://okta.example.test/app/sso/saml',
      certificateExpiresSoon: true,
    });
    expect(imported.samlCertificates.map((c) => c.pem.replace(/\s/g, ''))).toEqual(
      [longLived.certificate, expiring.certificate].map((pem) => pem.replace(/\s/g, '')),
    );
    const entityBomb = `<?xml version="1.0"?><!DOCTYPE md [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>${xml.replace(/^<\?xml[^>]*>/, '')}`;
    expect(await refusal(service.update(principal, imported.id, { metadataXml: entityBomb }))).toMatchObject({
      name: BadUserInputError.name,
      field: 'input.metadataXml',
    });
    expect(await refusal(service.update(principal, imported.id, { metadataXml: '<md:EntityDescriptor' }))).toMatchObject({
      field: 'input.metadataXml',
      message: expect.stringContaining('not well-formed'),
    });
  });

  it('refuses an unusable configuration, naming the field', async () => {
    const { organizationId, principal } = await team();
    const cases: [CreateSsoConfigInput, string][] = [
      [saml(organizationId, { samlSsoUrl: undefined }), 'input.samlSsoUrl'],
      [saml(organizationId, { samlSsoUrl: 'javascript:alert(1)' }), 'input.samlSsoUrl'],
      [
        saml(organizationId, { samlCertificates: ['-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----'] }),
        'input.samlCertificates[0]',
      ],
      [saml(organizationId, { samlCertificates: [longLived.certificate, longLived.privateKey] }), 'input.samlCertificates[1]'],
      [saml(organizationId, { oidcIssuer: 'https://login.example.test' }), 'input.oidcIssuer'],
      [saml(organizationId, { defaultRole: 'owner' }), 'input.defaultRole'],
      [
        saml(organizationId, { attributeMapping: { groupRoles: [{ group: 'x', role: 'superuser' }] } }),
        'input.attributeMapping.groupRoles[0].role',
      ],
      [oidc(organizationId, { oidcIssuer: 'http://login.example.test' }), 'input.oidcIssuer'],
      [oidc(organizationId, { oidcClientId: undefined }), 'input.oidcClientId'],
      [oidc(organizationId, { metadataXml: '<x/>' }), 'input.metadataXml'],
    ];
    for (const [input, field] of cases) {
      expect({ field, refusal: await refusal(service.create(principal, input)) }).toMatchObject({
        field,
        refusal: { name: BadUserInputError.name, field },
      });
    }
    expect(await service.list(principal, organizationId)).toEqual([]);
  });
});
