import { SignJWT, generateKeyPair } from 'jose';
import { randomUUID } from 'node:crypto';
import {
  CreateOrganizationDocument,
  InviteMemberDocument,
  MeDocument,
  OrganizationOverviewDocument,
  PlansDocument,
  RemoveMemberDocument,
  SupergraphHealthDocument,
  UpdateMemberDocument,
  UpdateOrganizationDocument,
} from '../../schema/generated/operations';
import { execute, expectError, expectNoErrors } from '../kit/client';
import { joinByInvitation } from '../kit/invitations';
import { uniqueEmail } from '../kit/seed';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

let supergraph: TestSupergraph;
let acme: SeededOrganization;
let globex: SeededOrganization;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  acme = await supergraph.seed.org({ name: 'Acme' }).withMember({ name: 'Ann' }).withMember().create();
  globex = await supergraph.seed.org({ name: 'Globex' }).create();
});
afterAll(async () => {
  await supergraph?.stop();
});

/** A token with the right claims, signed with `key` (default: identity's real key) and `exp`. */
async function craftToken(options: { expiresInSeconds: number; foreignKey?: boolean }): Promise<string> {
  const key = options.foreignKey
    ? { kid: 'key_foreign', privateKey: (await generateKeyPair('EdDSA')).privateKey }
    : await supergraph.seed.identity.signingKeys.activeKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ org: acme.organization.id })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
    .setSubject(acme.owner.user.id)
    .setIssuer(supergraph.config.auth.issuer)
    .setAudience(supergraph.config.auth.audience)
    .setIssuedAt(now - 3600)
    .setExpirationTime(now + options.expiresInSeconds)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

describe('the cross-subgraph slice', () => {
  it('joins identity (members, users) and billing (subscription) in one query', async () => {
    const data = expectNoErrors(
      await supergraph.gateway(OrganizationOverviewDocument, { id: acme.organization.id }, { token: acme.owner.token }),
    );
    expect(data.organization!.name).toBe('Acme');
    expect(data.organization!.members.map((member) => member.user.email)).toEqual([
      acme.owner.user.email,
      ...acme.members.map((member) => member.user.email),
    ]);
    expect(data.organization!.subscription!.plan).toMatchObject({
      code: 'FREE',
      name: 'Free',
      includedMinutes: 1000,
      includedAiCalls: 100,
    });
    expect(data.organization!.subscription!.status).toBe('ACTIVE');
    expect(new Date(data.organization!.subscription!.currentPeriodEnd).getTime()).toBeGreaterThan(Date.now());
  });

  it('keeps the same subscription row on every read', async () => {
    const first = expectNoErrors(
      await supergraph.gateway(OrganizationOverviewDocument, { id: acme.organization.id }, { token: acme.owner.token }),
    );
    const second = expectNoErrors(
      await supergraph.gateway(OrganizationOverviewDocument, { id: acme.organization.id }, { token: acme.owner.token }),
    );
    expect(second.organization!.subscription!.id).toBe(first.organization!.subscription!.id);
    expect(first.organization!.subscription!.id).toMatch(/^sub_/);
  });

  it('answers me with the caller and their memberships', async () => {
    const data = expectNoErrors(await supergraph.gateway(MeDocument, {}, { token: acme.members[0]!.token }));
    expect(data.me).toMatchObject({ id: acme.members[0]!.user.id, name: 'Ann' });
    expect(data.me!.memberships.map((m) => m.organization.id)).toEqual([acme.organization.id]);
  });
});

describe('authentication', () => {
  const query = '{ me { id } }';

  it('refuses a request with no token at the gateway and at a subgraph reached directly', async () => {
    const atGateway = await supergraph.gateway(query);
    expect(atGateway.status).toBe(401);
    expect(expectError(atGateway, 'UNAUTHENTICATED').message).toMatch(/me/);
    expect(atGateway.data).toBeUndefined();

    const direct = await execute(supergraph.subgraphUrls.identity, query);
    expectError(direct, 'UNAUTHENTICATED');
    expect(direct.data).toEqual({ me: null });
  });

  it('refuses an expired token at the gateway and at a subgraph', async () => {
    const token = await craftToken({ expiresInSeconds: -60 });
    for (const url of [supergraph.gatewayUrl, supergraph.subgraphUrls.identity, supergraph.subgraphUrls.billing]) {
      const exchange = await execute(url, query, undefined, { token });
      expect(exchange.status).toBe(401);
      expect(expectError(exchange, 'UNAUTHENTICATED').message).toMatch(/expired/);
    }
  });

  it('refuses a token signed by another key at the gateway and at a subgraph', async () => {
    const token = await craftToken({ expiresInSeconds: 600, foreignKey: true });
    for (const url of [supergraph.gatewayUrl, supergraph.subgraphUrls.identity]) {
      const exchange = await execute(url, query, undefined, { token });
      expect(exchange.status).toBe(401);
      expect(expectError(exchange, 'UNAUTHENTICATED').message).toMatch(/signature/);
    }
  });

  it('refuses entity lookups without a token at the subgraph, so the gateway cannot be bypassed', async () => {
    const lookup = `{ _entities(representations: [{ __typename: "Organization", id: "${acme.organization.id}" }]) { ... on Organization { subscription { id } } } }`;
    expectError(await execute(supergraph.subgraphUrls.billing, lookup), 'UNAUTHENTICATED');
  });

  it('refuses a malformed Authorization header', async () => {
    const exchange = await supergraph.gateway(query, undefined, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(expectError(exchange, 'UNAUTHENTICATED').message).toMatch(/Bearer/);
  });

  it('serves public fields without a token, across every subgraph', async () => {
    const health = expectNoErrors(await supergraph.gateway(SupergraphHealthDocument));
    expect(Object.values(health.health!).map((report) => report?.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    const plans = expectNoErrors(await supergraph.gateway(PlansDocument));
    expect(plans.plans!.map((plan) => [plan.code, plan.monthlyPriceCents])).toEqual([
      ['FREE', 0],
      ['PRO', 4900],
      ['ENTERPRISE', 49900],
    ]);
  });
});

describe('organisation isolation', () => {
  it('never lets a token for one organization read another', async () => {
    const exchange = await supergraph.gateway(OrganizationOverviewDocument, { id: acme.organization.id }, { token: globex.owner.token });
    const error = expectError(exchange, 'FORBIDDEN');
    expect(error.extensions?.field).toBe('id');
    expect(exchange.data).toEqual({ organization: null });
  });

  it('never lets a token for one organization change another', async () => {
    const rename = await supergraph.gateway(
      UpdateOrganizationDocument,
      { id: acme.organization.id, input: { name: 'Mine now' } },
      { token: globex.owner.token },
    );
    expectError(rename, 'FORBIDDEN');
    const add = await supergraph.gateway(
      InviteMemberDocument,
      { input: { organizationId: acme.organization.id, email: uniqueEmail('intruder') } },
      { token: globex.owner.token },
    );
    expectError(add, 'FORBIDDEN');
    const remove = await supergraph.gateway(RemoveMemberDocument, { id: acme.members[1]!.membership.id }, { token: globex.owner.token });
    expectError(remove, 'NOT_FOUND');
    const after = expectNoErrors(
      await supergraph.gateway(OrganizationOverviewDocument, { id: acme.organization.id }, { token: acme.owner.token }),
    );
    expect(after.organization!.name).toBe('Acme');
    expect(after.organization!.members).toHaveLength(3);
  });
});

describe('bad input', () => {
  it('names the field of a malformed id', async () => {
    const error = expectError(
      await supergraph.gateway(OrganizationOverviewDocument, { id: 'acme' }, { token: acme.owner.token }),
      'BAD_USER_INPUT',
    );
    expect(error.extensions?.field).toBe('id');
    expect(error.message).toMatch(/id: "acme" is not a valid organization id/);
  });

  it('names the field of an empty name', async () => {
    const exchange = await supergraph.gateway(
      UpdateOrganizationDocument,
      { id: acme.organization.id, input: { name: '   ' } },
      { token: acme.owner.token },
    );
    const error = expectError(exchange, 'BAD_USER_INPUT');
    expect(error.extensions?.field).toBe('name');
    expect(error.message).toMatch(/name must not be blank/);
  });

  it('answers NOT_FOUND naming the field for an unknown organization', async () => {
    const error = expectError(
      await supergraph.gateway(OrganizationOverviewDocument, { id: 'org_DOESNOTEXIST' }, { token: acme.owner.token }),
      'NOT_FOUND',
    );
    expect(error.extensions?.field).toBe('id');
    expect(error.message).toMatch(/org_DOESNOTEXIST/);
  });

  it('answers a body that is not JSON with a coded JSON error, at the gateway and at a subgraph', async () => {
    for (const url of [supergraph.gatewayUrl, supergraph.subgraphUrls.billing]) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }],
      });
    }
  });

  it('answers BAD_USER_INPUT for a query that does not match the schema', async () => {
    const exchange = await supergraph.gateway('{ organization(id: "org_1") { nam } }', undefined, { token: acme.owner.token });
    expect(expectError(exchange, 'BAD_USER_INPUT').message).toMatch(/Did you mean "name"/);
  });

  it('rejects an invalid email and a taken slug', async () => {
    const email = await supergraph.gateway(
      InviteMemberDocument,
      { input: { organizationId: acme.organization.id, email: 'not-an-email' } },
      { token: acme.owner.token },
    );
    expect(expectError(email, 'BAD_USER_INPUT').extensions?.field).toBe('email');
    const slug = await supergraph.gateway(
      UpdateOrganizationDocument,
      { id: acme.organization.id, input: { slug: globex.organization.slug } },
      { token: acme.owner.token },
    );
    expect(expectError(slug, 'CONFLICT').extensions?.field).toBe('slug');
  });
});

describe('organizations and members', () => {
  it('creates an organization whose creator is its member and which starts on the Free plan', async () => {
    const created = expectNoErrors(
      await supergraph.gateway(CreateOrganizationDocument, { input: { name: 'Initech Ltd.' } }, { token: acme.owner.token }),
    );
    expect(created.createOrganization).toMatchObject({ name: 'Initech Ltd.', slug: expect.stringMatching(/^initech-ltd/) });
    const token = await supergraph.seed.tokenFor(acme.owner.user.id, created.createOrganization.id);
    const overview = expectNoErrors(
      await supergraph.gateway(OrganizationOverviewDocument, { id: created.createOrganization.id }, { token }),
    );
    expect(overview.organization!.members.map((m) => m.user.id)).toEqual([acme.owner.user.id]);
    expect(overview.organization!.subscription!.plan.code).toBe('FREE');
  });

  it('adds a member once they accept, suspends and removes them, and keeps the last active member', async () => {
    const team = await supergraph.seed.org().create();
    const token = team.owner.token;
    const email = uniqueEmail('new');
    const added = await joinByInvitation(supergraph.gateway, {
      inviterToken: token,
      organizationId: team.organization.id,
      email: email.toUpperCase(),
    });
    expect(added.user).toMatchObject({ email });

    const again = await supergraph.gateway(InviteMemberDocument, { input: { organizationId: team.organization.id, email } }, { token });
    expect(expectError(again, 'CONFLICT').extensions?.field).toBe('input.email');

    const suspended = expectNoErrors(
      await supergraph.gateway(UpdateMemberDocument, { id: added.id, input: { status: 'SUSPENDED' } }, { token }),
    );
    expect(suspended.updateMember.status).toBe('SUSPENDED');
    // The owner is now the only active member: they cannot be removed, nor suspend themselves (nobody changes their own status).
    expectError(await supergraph.gateway(RemoveMemberDocument, { id: team.owner.membership.id }, { token }), 'CONFLICT');
    expectError(
      await supergraph.gateway(UpdateMemberDocument, { id: team.owner.membership.id, input: { status: 'SUSPENDED' } }, { token }),
      'FORBIDDEN',
    );

    expectNoErrors(await supergraph.gateway(RemoveMemberDocument, { id: added.id }, { token }));
    const overview = expectNoErrors(await supergraph.gateway(OrganizationOverviewDocument, { id: team.organization.id }, { token }));
    expect(overview.organization!.members.map((m) => m.id)).toEqual([team.owner.membership.id]);
  });
});

describe('a subgraph that is down', () => {
  it('gets a clear error for the fields it owns while the rest of the answer stands, and recovers', async () => {
    await supergraph.stopSubgraph('billing');
    try {
      const exchange = await supergraph.gateway(OrganizationOverviewDocument, { id: acme.organization.id }, { token: acme.owner.token });
      const error = expectError(exchange, 'SERVICE_UNAVAILABLE');
      expect(error.message).toMatch(/billing service is unavailable/);
      expect(exchange.status).toBe(200);
      // identity's part of the answer is there; billing's field is not.
      const me = expectNoErrors(await supergraph.gateway(MeDocument, {}, { token: acme.owner.token }));
      expect(me.me!.id).toBe(acme.owner.user.id);
    } finally {
      await supergraph.restartSubgraph('billing');
    }
    expectNoErrors(await supergraph.gateway(OrganizationOverviewDocument, { id: acme.organization.id }, { token: acme.owner.token }));
  });
});
