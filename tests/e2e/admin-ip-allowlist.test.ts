import { execute, expectError, expectNoErrors } from '../kit/client';
import type { Exchange } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { connect } from '../kit/subscriptions';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

/**
 * The admin IP allowlist through the gateway, over HTTP and WebSocket. Callers come from
 * addresses of their own through one trusted proxy's X-Forwarded-For, as behind a load balancer.
 */
const OFFICE = '203.0.113.10';
const OFFICE_V6 = '2001:db8::5';
const CAFE = '192.0.2.44';
const SET =
  'mutation($o: ID!, $cidrs: [String!]!, $confirm: Boolean) { setAdminIpAllowlist(organizationId: $o, cidrs: $cidrs, confirmLockout: $confirm) }';
const CREATE_ROLE = 'mutation($name: String!) { createRole(input: { name: $name, permissions: ["members:read"] }) { id } }';
const RENAME = 'mutation($id: ID!, $name: String!) { updateOrganization(id: $id, input: { name: $name }) { name } }';
const UPDATE_ME = 'mutation { updateMe(input: { name: "From the café" }) { name } }';

let supergraph: TestSupergraph;
let team: SeededOrganization;
let roles = 0;

beforeAll(async () => {
  supergraph = await startTestSupergraph({ RATE_LIMIT_TRUSTED_PROXIES: '1' });
  team = await supergraph.seed.org().withMember({ role: 'role_admin' }).withMember().create();
});
afterAll(async () => {
  await supergraph?.stop();
});

function from(address: string, token: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  return supergraph.gateway<Record<string, unknown>, Record<string, unknown> | undefined>(query, variables, {
    token,
    headers: { 'x-forwarded-for': address, ...headers },
  });
}

const newRole = (address: string, token: string) => from(address, token, CREATE_ROLE, { name: `Role ${(roles += 1)}` });

function expectNotAllowed(exchange: Exchange<unknown>, address: string): void {
  const error = expectError(exchange, 'FORBIDDEN');
  expect(error.extensions).toMatchObject({ reason: 'IP_NOT_ALLOWED', ip: address });
  expect(error.message).toMatch(/not on the admin IP allowlist/);
}

describe('admin IP allowlist through the gateway', () => {
  it('refuses a list that would lock the caller out unless confirmed, and refuses networks that are not ones', async () => {
    const admin = team.members[0]!;
    const organizationId = team.organization.id;
    const lockout = await from(OFFICE, admin.token, SET, { o: organizationId, cidrs: ['198.51.100.0/24'] });
    expect(expectError(lockout, 'BAD_USER_INPUT')).toMatchObject({ extensions: { field: 'confirmLockout' } });
    expect(expectError(lockout, 'BAD_USER_INPUT').message).toContain(OFFICE);

    const bad = await from(OFFICE, admin.token, SET, { o: organizationId, cidrs: [`${OFFICE}/24`, '10.0.0.0/33'] });
    expect(expectError(bad, 'BAD_USER_INPUT').extensions?.field).toBe('cidrs[1]');

    const read = expectNoErrors(
      await from(OFFICE, admin.token, 'query($id: ID!) { organization(id: $id) { adminIpAllowlist } }', { id: organizationId }),
    );
    expect(read.organization).toEqual({ adminIpAllowlist: [] });
  });

  it('once set, an owner’s or admin’s mutation from elsewhere is FORBIDDEN in every subgraph; a member’s is not; a client header changes nothing', async () => {
    const [admin, member] = [team.members[0]!, team.members[1]!];
    const organizationId = team.organization.id;
    const { setAdminIpAllowlist } = expectNoErrors(
      await from(OFFICE, admin.token, SET, { o: organizationId, cidrs: ['203.0.113.0/24', '2001:DB8::/32'] }),
    );
    expect(setAdminIpAllowlist).toEqual(['203.0.113.0/24', '2001:db8::/32']);

    // From the office, on IPv4 and IPv6: allowed (authz and identity).
    expectNoErrors(await newRole(OFFICE, admin.token));
    expectNoErrors(await newRole(OFFICE_V6, team.owner.token));
    expectNoErrors(await from(OFFICE, admin.token, RENAME, { id: organizationId, name: 'Renamed at the office' }));

    // From a café: refused, for the owner and the admin, in authz and in identity.
    expectNotAllowed(await newRole(CAFE, admin.token), CAFE);
    expectNotAllowed(await newRole(CAFE, team.owner.token), CAFE);
    expectNotAllowed(await from(CAFE, admin.token, RENAME, { id: organizationId, name: 'Renamed at the café' }), CAFE);
    expectNotAllowed(await from(CAFE, admin.token, SET, { o: organizationId, cidrs: [] }), CAFE);
    // Reading is not changing.
    expectNoErrors(await from(CAFE, admin.token, '{ roles { id } }'));
    // A member is not bound by it.
    expectNoErrors(await from(CAFE, member.token, UPDATE_ME));

    // The header the gateway sends its subgraphs, sent by a client, is not believed: at the gateway,
    const spoofed = await from(CAFE, admin.token, CREATE_ROLE, { name: 'Spoofed' }, { 'x-auralink-client-ip': OFFICE });
    expectNotAllowed(spoofed, CAFE);
    // nor at a subgraph reached directly, which sees its peer (this test's loopback address).
    const direct = await execute(
      supergraph.subgraphUrls.authz,
      CREATE_ROLE,
      { name: 'Direct' },
      {
        token: admin.token,
        headers: { 'x-auralink-client-ip': OFFICE, 'x-forwarded-for': OFFICE },
      },
    );
    expect(expectError(direct, 'FORBIDDEN').extensions?.reason).toBe('IP_NOT_ALLOWED');

    // Cleared from the office, the café may again.
    expectNoErrors(await from(OFFICE, admin.token, SET, { o: organizationId, cidrs: [] }));
    expectNoErrors(await newRole(CAFE, admin.token));
  });

  it('a confirmed lock-out takes effect at once; an owner on an allowed network undoes it', async () => {
    const admin = team.members[0]!;
    const organizationId = team.organization.id;
    expectNoErrors(await from(OFFICE, admin.token, SET, { o: organizationId, cidrs: [`${CAFE}/32`], confirm: true }));
    expectNotAllowed(await newRole(OFFICE, admin.token), OFFICE);
    expectNoErrors(await from(CAFE, team.owner.token, SET, { o: organizationId, cidrs: [] }));
    expectNoErrors(await newRole(OFFICE, admin.token));
  });

  it('holds over WebSocket: an admin’s mutation on the gateway’s socket runs from the office and is FORBIDDEN from elsewhere, and a subgraph’s own socket refuses it', async () => {
    const admin = team.members[0]!;
    const organizationId = team.organization.id;
    expectNoErrors(await from(OFFICE, admin.token, SET, { o: organizationId, cidrs: ['203.0.113.0/24'] }));
    const office = connect(supergraph.gatewayUrl, admin.token, { headers: { 'x-forwarded-for': OFFICE } });
    const cafe = connect(supergraph.gatewayUrl, admin.token, { headers: { 'x-forwarded-for': CAFE } });
    // Straight to authz, claiming the office: the subgraph sees its peer (loopback) and believes no header.
    const direct = connect(supergraph.subgraphUrls.authz, admin.token, {
      headers: { 'x-forwarded-for': OFFICE, 'x-auralink-client-ip': OFFICE },
    });
    const overSocket = (socket: ReturnType<typeof connect>, query: string, variables?: Record<string, unknown>) =>
      socket.subscribe(query, variables).next();
    try {
      const fromOffice = await overSocket(office, CREATE_ROLE, { name: `Role ${(roles += 1)}` });
      expect(fromOffice.errors).toBeUndefined();
      expect(fromOffice.data).toMatchObject({ createRole: { id: expect.any(String) } });

      const fromCafe = await overSocket(cafe, CREATE_ROLE, { name: `Role ${(roles += 1)}` });
      expect(fromCafe.data ?? null).toBeNull();
      expect(fromCafe.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED', ip: CAFE });
      const renamed = await overSocket(cafe, RENAME, { id: organizationId, name: 'Renamed over a socket at the café' });
      expect(renamed.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED', ip: CAFE });
      // Reading is not changing.
      expect((await overSocket(cafe, '{ roles { id } }')).errors).toBeUndefined();

      const straight = await overSocket(direct, CREATE_ROLE, { name: `Role ${(roles += 1)}` });
      expect(straight.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED' });
      expect(straight.errors?.[0]?.extensions?.ip).not.toBe(OFFICE);
    } finally {
      await Promise.all([office.dispose(), cafe.dispose(), direct.dispose()]);
      expectNoErrors(await from(OFFICE, admin.token, SET, { o: organizationId, cidrs: [] }));
    }
  });
});
