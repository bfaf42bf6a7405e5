import { createHash } from 'node:crypto';
import { execute, expectError, expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

const CREATE = `mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name prefix permissions expiresAt revokedAt createdBy { id } } }
}`;
const LIST = 'query($org: ID!, $all: Boolean) { apiKeys(organizationId: $org, includeRevoked: $all) { id prefix revokedAt } }';
const REVOKE = 'mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }';
const ORGANIZATION = 'query($id: ID!) { organization(id: $id) { name } }';
const ME = '{ me { id } }';

interface Created {
  createApiKey: {
    secret: string;
    apiKey: { id: string; name: string; prefix: string; permissions: string[] | null; revokedAt: string | null; createdBy: { id: string } };
  };
}

let supergraph: TestSupergraph;
let team: SeededOrganization;
let admin: SeededOrganization['owner'];
let member: SeededOrganization['owner'];
let other: SeededOrganization;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  team = await supergraph.seed.org().withMember({ role: 'role_admin' }).withMember().create();
  [admin, member] = team.members as [SeededOrganization['owner'], SeededOrganization['owner']];
  other = await supergraph.seed.org().create();
});
afterAll(async () => {
  await supergraph?.stop();
});

async function createKey(token: string, input: Record<string, unknown>): Promise<Created['createApiKey']> {
  return expectNoErrors(await supergraph.gateway<Created, { input: Record<string, unknown> }>(CREATE, { input }, { token })).createApiKey;
}

describe('API keys through the gateway', () => {
  it('shows the secret once, stores only its hash, and authenticates as the key in its organization', async () => {
    const { secret, apiKey } = await createKey(team.owner.token, { name: 'CI deploys' });
    expect(secret).toMatch(/^ak_live_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({ name: 'CI deploys', prefix: secret.slice(0, 12), permissions: null, revokedAt: null });
    expect(apiKey.createdBy.id).toBe(team.owner.user.id);

    const listed = expectNoErrors(
      await supergraph.gateway<{ apiKeys: { id: string; prefix: string }[] }, { org: string }>(
        LIST,
        { org: team.organization.id },
        { token: team.owner.token },
      ),
    );
    expect(listed.apiKeys).toContainEqual({ id: apiKey.id, prefix: secret.slice(0, 12), revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(secret);
    const [stored] = (await supergraph.dataSources.identity.query('SELECT * FROM identity.api_keys WHERE id = $1', [apiKey.id])) as Record<
      string,
      unknown
    >[];
    expect(stored!.key_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(secret.slice(12));

    const me = expectNoErrors(await supergraph.gateway<{ me: { id: string } }, never>(ME, undefined, { token: secret }));
    expect(me.me.id).toBe(team.owner.user.id);
    const organization = expectNoErrors(
      await supergraph.gateway<{ organization: { name: string } }, { id: string }>(
        ORGANIZATION,
        { id: team.organization.id },
        { token: secret },
      ),
    );
    expect(organization.organization.name).toBe(team.organization.name);
    // Bound to its organization.
    expectError(await supergraph.gateway(ORGANIZATION, { id: other.organization.id }, { token: secret }), 'FORBIDDEN');
  });

  it('is refused on its next request once revoked, at the gateway and in a subgraph reached directly', async () => {
    const { secret, apiKey } = await createKey(team.owner.token, { name: 'Partner' });
    expectNoErrors(await supergraph.gateway(ME, undefined, { token: secret }));
    expectNoErrors(await execute(supergraph.subgraphUrls.billing, '{ plans { code } }', undefined, { token: secret }));

    const revoked = expectNoErrors(
      await supergraph.gateway<{ revokeApiKey: { id: string; revokedAt: string | null } }, { id: string }>(
        REVOKE,
        { id: apiKey.id },
        { token: team.owner.token },
      ),
    );
    expect(revoked.revokeApiKey.revokedAt).not.toBeNull();

    const refused = await supergraph.gateway(ME, undefined, { token: secret });
    expect(refused.status).toBe(401);
    expect(expectError(refused, 'UNAUTHENTICATED').message).toMatch(/revoked/);
    expect((await execute(supergraph.subgraphUrls.billing, ME, undefined, { token: secret })).status).toBe(401);
    // Listed only when asked for revoked keys.
    const listed = expectNoErrors(
      await supergraph.gateway<{ apiKeys: { id: string }[] }, { org: string; all?: boolean }>(
        LIST,
        { org: team.organization.id },
        { token: team.owner.token },
      ),
    );
    expect(listed.apiKeys.map((key) => key.id)).not.toContain(apiKey.id);
    const all = expectNoErrors(
      await supergraph.gateway<{ apiKeys: { id: string }[] }, { org: string; all?: boolean }>(
        LIST,
        { org: team.organization.id, all: true },
        { token: team.owner.token },
      ),
    );
    expect(all.apiKeys.map((key) => key.id)).toContain(apiKey.id);
    // The audit log hears of it.
    const facts = (await supergraph.dataSources.identity.query(
      "SELECT type FROM identity.outbox WHERE payload->>'apiKeyId' = $1 AND type LIKE 'identity.api_key.%' ORDER BY sequence",
      [apiKey.id],
    )) as { type: string }[];
    expect(facts.map((fact) => fact.type)).toEqual(['identity.api_key.created', 'identity.api_key.revoked', 'identity.api_key.used']);
  });

  it('acts only within the permissions it was given, and never beyond its creator', async () => {
    const { secret } = await createKey(admin.token, { name: 'Reader', permissions: ['organization:read'] });
    expectNoErrors(await supergraph.gateway(ORGANIZATION, { id: team.organization.id }, { token: secret }));
    const denied = expectError(await supergraph.gateway(ME, undefined, { token: secret }), 'FORBIDDEN');
    expect(denied.extensions?.requiredPermission).toBe('profile:read');
    expect(denied.message).toMatch(/API key "Reader" was not given it/);

    // An admin holds billing:read, not billing:update.
    const beyond = await supergraph.gateway(
      CREATE,
      { input: { name: 'Too much', permissions: ['billing:update'] } },
      { token: admin.token },
    );
    expect(expectError(beyond, 'FORBIDDEN').message).toMatch(/billing:update, which you do not hold yourself/);
    // A member may not manage keys at all.
    expect(
      expectError(await supergraph.gateway(CREATE, { input: { name: 'Mine' } }, { token: member.token }), 'FORBIDDEN').extensions
        ?.requiredPermission,
    ).toBe('api_keys:manage');
    // A key cannot make keys.
    const { secret: manager } = await createKey(team.owner.token, { name: 'Manager' });
    expect(expectError(await supergraph.gateway(CREATE, { input: { name: 'Child' } }, { token: manager }), 'FORBIDDEN').message).toMatch(
      /cannot create API keys/,
    );
  });

  it('is recorded in the audit log as the API key acting', async () => {
    const { secret, apiKey } = await createKey(team.owner.token, { name: 'Bot' });
    expectNoErrors(await supergraph.gateway('mutation { updateMe(input: { name: "Owner" }) { id } }', undefined, { token: secret }));
    const actor = await eventually(async () => {
      const rows = (await supergraph.dataSources.audit.query(
        "SELECT actor_type, actor_id FROM audit.events WHERE action = 'identity.mutation.updateMe' AND actor_id = $1",
        [apiKey.id],
      )) as { actor_type: string; actor_id: string }[];
      return rows[0];
    }, 'the audit event of the key’s mutation');
    expect(actor).toEqual({ actor_type: 'api_key', actor_id: apiKey.id });
  });

  it('refuses an expired or unknown key, and bad input naming the field', async () => {
    const { secret, apiKey } = await createKey(team.owner.token, { name: 'Short-lived', expiresAt: new Date(Date.now() + 3_600_000) });
    await supergraph.dataSources.identity.query("UPDATE identity.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [
      apiKey.id,
    ]);
    expect(expectError(await supergraph.gateway(ME, undefined, { token: secret }), 'UNAUTHENTICATED').message).toMatch(/expired/);
    expectError(await supergraph.gateway(ME, undefined, { token: `ak_live_${'x'.repeat(43)}` }), 'UNAUTHENTICATED');

    const cases: [Record<string, unknown>, string][] = [
      [{ name: '  ' }, 'name'],
      [{ name: 'x'.repeat(101) }, 'name'],
      [{ name: 'Key', permissions: ['billing:fly'] }, 'input.permissions[0]'],
      [{ name: 'Key', permissions: [] }, 'input.permissions'],
      [{ name: 'Key', expiresAt: new Date(Date.now() - 1000) }, 'input.expiresAt'],
    ];
    for (const [input, field] of cases) {
      const error = expectError(await supergraph.gateway(CREATE, { input }, { token: team.owner.token }), 'BAD_USER_INPUT');
      expect(`${error.extensions?.field ?? ''} ${error.message}`).toContain(field);
    }
  });

  it('keeps organizations apart: another organization neither lists nor revokes a key', async () => {
    const { apiKey } = await createKey(team.owner.token, { name: 'Ours' });
    expectError(await supergraph.gateway(LIST, { org: team.organization.id }, { token: other.owner.token }), 'FORBIDDEN');
    const own = expectNoErrors(
      await supergraph.gateway<{ apiKeys: { id: string }[] }, { org: string }>(
        LIST,
        { org: other.organization.id },
        { token: other.owner.token },
      ),
    );
    expect(own.apiKeys).toEqual([]);
    expectError(await supergraph.gateway(REVOKE, { id: apiKey.id }, { token: other.owner.token }), 'NOT_FOUND');
  });

  it('answers who a key is only to holders of the subgraph credential', async () => {
    const response = await fetch(new URL('/internal/v1/api-keys/verify', supergraph.subgraphUrls.identity), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: `ak_live_${'x'.repeat(43)}` }),
    });
    expect(response.status).toBe(404);
    const throughGateway = await fetch(new URL('/internal/v1/api-keys/verify', supergraph.gatewayUrl), { method: 'POST' });
    expect(throughGateway.status).toBe(404);
  });
});
