import { expectError, expectNoErrors } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

let supergraph: TestSupergraph;
let acme: SeededOrganization;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  acme = await supergraph.seed.org({ name: 'Acme' }).withMember().create();
});
afterAll(async () => {
  await supergraph?.stop();
});

describe('every answer with missing data says why (GraphQL spec, "Handling Field Errors")', () => {
  it('reports an error when a role held by someone identity does not show nulls whoCan and checkPermission', async () => {
    // Authz and identity disagree (a role and a membership authz believes in, for a user who is
    // no member here in identity): identity answers the user as null.
    const stranger = await supergraph.seed.org().create();
    await supergraph.dataSources.authz.query(`INSERT INTO authz.casbin_rule (ptype, v0, v1, v2) VALUES ('g', $1, 'role_admin', $2)`, [
      stranger.owner.user.id,
      acme.organization.id,
    ]);
    await supergraph.dataSources.authz.query(
      `INSERT INTO authz.memberships (organization_id, user_id, membership_id, status, source_sequence) VALUES ($1, $2, $3, 'active', 0)`,
      [acme.organization.id, stranger.owner.user.id, stranger.owner.membership.id],
    );
    await supergraph.access.authorizer.policyChanged();

    const whoCan = await supergraph.gateway('{ whoCan(resource: "members", action: "read") { id email } }', undefined, {
      token: acme.owner.token,
    });
    expect(whoCan.data).toEqual({ whoCan: null });
    expect(expectError(whoCan, 'INTERNAL').path).toEqual(['whoCan', expect.any(Number), 'email']);

    const check = await supergraph.gateway<{ checkPermission: { allowed: boolean; user: unknown } | null }, { u: string }>(
      'query($u: ID!) { checkPermission(userId: $u, resource: "members", action: "read") { allowed user { email } } }',
      { u: stranger.owner.user.id },
      { token: acme.owner.token },
    );
    expect(check.data).toEqual({ checkPermission: { allowed: true, user: null } });
    expect(expectError(check, 'INTERNAL').path).toEqual(['checkPermission', 'user', 'email']);
  });
});

describe('one subgraph down leaves the rest of the answer standing', () => {
  it('answers me without plans, and an organization without its subscription, while billing is down', async () => {
    await supergraph.stopSubgraph('billing');
    try {
      const both = await supergraph.gateway<{ me: { id: string } | null; plans: unknown }, undefined>(
        '{ me { id } plans { code } }',
        undefined,
        {
          token: acme.owner.token,
        },
      );
      expect(both.data).toEqual({ me: { id: acme.owner.user.id }, plans: null });
      expect(expectError(both, 'SERVICE_UNAVAILABLE').extensions?.service).toBe('billing');

      const organization = await supergraph.gateway<{ organization: unknown }, { id: string }>(
        'query($id: ID!) { organization(id: $id) { name subscription { status plan { code } } } }',
        { id: acme.organization.id },
        { token: acme.owner.token },
      );
      expect(organization.data).toEqual({ organization: { name: 'Acme', subscription: null } });
      expect(expectError(organization, 'SERVICE_UNAVAILABLE').message).toMatch(/billing service is unavailable/);

      const health = await supergraph.gateway('{ health { identity { status } billing { status } } }');
      expect(health.data).toEqual({ health: { identity: { status: 'ok' }, billing: null } });
      expectError(health, 'SERVICE_UNAVAILABLE');
    } finally {
      await supergraph.restartSubgraph('billing');
    }
    expectNoErrors(await supergraph.gateway('{ me { id } plans { code } }', undefined, { token: acme.owner.token }));
  });

  it('answers the members without their roles while authz is down', async () => {
    await supergraph.stopSubgraph('authz');
    try {
      const exchange = await supergraph.gateway<
        { organization: { members: { user: { email: string; roles: unknown } }[] } | null },
        { id: string }
      >(
        'query($id: ID!) { organization(id: $id) { members { user { email roles { role { id } } } } } }',
        { id: acme.organization.id },
        { token: acme.owner.token },
      );
      expect(exchange.data?.organization?.members).toEqual([
        { user: { email: acme.owner.user.email, roles: null } },
        { user: { email: acme.members[0]!.user.email, roles: null } },
      ]);
      expectError(exchange, 'SERVICE_UNAVAILABLE');
    } finally {
      await supergraph.restartSubgraph('authz');
    }
  });
});
