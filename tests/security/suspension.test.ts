import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { jwksUrlOf } from '../../platform/config';
import { CLOSE_MEMBERSHIP_REVOKED } from '../../platform/websocket';
import { execute, expectError, expectNoErrors } from '../kit/client';
import type { Exchange } from '../kit/client';
import { eventually } from '../kit/eventually';
import { joinByInvitation } from '../kit/invitations';
import { uniqueEmail } from '../kit/seed';
import type { SeededMember, SeededOrganization } from '../kit/seed';
import { startSubgraphProcess } from '../kit/subgraph-process';
import type { SubgraphProcess } from '../kit/subgraph-process';
import { connect } from '../kit/subscriptions';
import type { TestSocket } from '../kit/subscriptions';
import { TEST_REDIS_URL, gatewayCredential, startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

/**
 * Issue 9, item 5: a suspended admin's live token still created roles, reactivated its own
 * membership and kept its subscription delivering. A suspended or removed member is now
 * refused from the next request on, at the gateway and in every subgraph, in this process
 * and in another (billing runs as its own process, on the same Redis).
 */
const CREATE_ROLE = 'mutation($name: String!) { createRole(input: { name: $name, permissions: ["members:read"] }) { id } }';
const SET_STATUS = 'mutation($id: ID!, $status: MemberStatus!) { updateMember(id: $id, input: { status: $status }) { id status } }';
const REMOVE = 'mutation($id: ID!) { removeMember(id: $id) { id } }';
const ME = '{ me { id } }';
const ROLES = '{ roles { name } }';
const PLAN_OF = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { subscription { plan { code } } } } }';
const EVENTS = 'subscription($org: ID!) { organizationEvents(organizationId: $org) { type user { email } } }';

let supergraph: TestSupergraph;
let billing: SubgraphProcess;
const sockets: TestSocket[] = [];

function socket(url: string, token: string): TestSocket {
  const opened = connect(url, token);
  sockets.push(opened);
  return opened;
}

async function team(): Promise<SeededOrganization> {
  return supergraph.seed.org().withMember({ role: 'role_admin' }).withMember({ role: 'role_admin' }).withMember().create();
}

async function setStatus(organization: SeededOrganization, target: SeededMember, status: 'ACTIVE' | 'SUSPENDED'): Promise<void> {
  expectNoErrors(await supergraph.gateway(SET_STATUS, { id: target.membership.id, status }, { token: organization.owner.token }));
}

function expectRevoked(exchange: Exchange<unknown>): void {
  expect(expectError(exchange, 'FORBIDDEN').message).toMatch(/suspended or has ended/);
  expect(exchange.data ?? null).toBeNull();
}

beforeAll(async () => {
  supergraph = await startTestSupergraph({ REDIS_URL: TEST_REDIS_URL });
  billing = await startSubgraphProcess('billing', {
    DATABASE_URL: supergraph.config.database.url,
    REDIS_URL: TEST_REDIS_URL,
    EVENT_STREAM_PREFIX: supergraph.config.events.streamPrefix,
    AUTH_JWKS_URL: jwksUrlOf(supergraph.subgraphUrls.identity),
    SUBGRAPH_SECRET: supergraph.config.subgraph.secret,
  });
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.dispose()));
});
afterAll(async () => {
  await billing?.stop({ gracefully: true });
  await supergraph?.stop();
});

describe('a suspended admin', () => {
  it('is refused with the token it already holds: no role is created, through the gateway or straight to a subgraph, in any process', async () => {
    const acme = await team();
    const [admin] = acme.members;
    const askBilling = () =>
      execute(
        billing.url,
        PLAN_OF,
        { r: [{ __typename: 'Organization', id: acme.organization.id }] },
        { token: admin!.token, headers: gatewayCredential(supergraph.config) },
      );
    expectNoErrors(await supergraph.gateway(CREATE_ROLE, { name: 'Before' }, { token: admin!.token }));
    expectNoErrors(await askBilling());

    await setStatus(acme, admin!, 'SUSPENDED');

    expectRevoked(await supergraph.gateway(CREATE_ROLE, { name: 'After' }, { token: admin!.token }));
    expectRevoked(await supergraph.gateway(ME, {}, { token: admin!.token }));
    expectRevoked(await execute(supergraph.subgraphUrls.authz, CREATE_ROLE, { name: 'Direct' }, { token: admin!.token }));
    expectRevoked(await execute(supergraph.subgraphUrls.identity, ME, {}, { token: admin!.token }));
    // Another process hears of it through Redis a moment later.
    expectRevoked(await eventually(async () => ((await askBilling()).errors ? askBilling() : undefined), 'billing to refuse'));

    const { roles } = expectNoErrors(
      await supergraph.gateway<{ roles: { name: string }[] }, object>(ROLES, {}, { token: acme.owner.token }),
    );
    expect(roles.map((role) => role.name)).toContain('Before');
    expect(roles.map((role) => role.name)).not.toContain('After');
    expect(roles.map((role) => role.name)).not.toContain('Direct');
  });

  it('cannot reactivate itself, nor get a new token; and nobody changes their own status', async () => {
    const acme = await team();
    const [admin, otherAdmin] = acme.members;
    await setStatus(acme, admin!, 'SUSPENDED');

    expectRevoked(await supergraph.gateway(SET_STATUS, { id: admin!.membership.id, status: 'ACTIVE' }, { token: admin!.token }));
    await expect(supergraph.seed.tokenFor(admin!.user.id, acme.organization.id)).rejects.toThrow(/not an active member/);

    // An active admin may not suspend (or otherwise change) their own membership either.
    const own = await supergraph.gateway(SET_STATUS, { id: otherAdmin!.membership.id, status: 'SUSPENDED' }, { token: otherAdmin!.token });
    expect(expectError(own, 'FORBIDDEN').message).toMatch(/your own membership/);

    const { organization } = expectNoErrors(
      await supergraph.gateway<{ organization: { members: { id: string; status: string }[] } }, object>(
        'query($id: ID!) { organization(id: $id) { members { id status } } }',
        { id: acme.organization.id },
        { token: acme.owner.token },
      ),
    );
    expect(organization.members.find((member) => member.id === admin!.membership.id)?.status).toBe('SUSPENDED');
    expect(organization.members.find((member) => member.id === otherAdmin!.membership.id)?.status).toBe('ACTIVE');
  });

  it('has its open subscriptions closed (4410), at the gateway and on a subgraph, and cannot open another', async () => {
    const acme = await team();
    const [admin] = acme.members;
    const throughGateway = socket(supergraph.gatewayUrl, admin!.token);
    const direct = socket(supergraph.subgraphUrls.identity, admin!.token);
    const viaGateway = throughGateway.subscribe<{ organizationEvents: { type: string } }>(EVENTS, { org: acme.organization.id });
    const viaIdentity = direct.subscribe<{ organizationEvents: { type: string } }>(EVENTS, { org: acme.organization.id });
    // Both deliver while the membership is active (the subgraph listens to the bus on its first request: a moment).
    await Promise.all([viaGateway.drain(300), viaIdentity.drain(300)]);
    await joinByInvitation(supergraph.gateway, {
      inviterToken: acme.owner.token,
      organizationId: acme.organization.id,
      email: uniqueEmail('seen'),
    });
    expect((await viaGateway.next()).data?.organizationEvents.type).toBe('MEMBER_ADDED');
    expect((await viaIdentity.next()).data?.organizationEvents.type).toBe('MEMBER_ADDED');

    await setStatus(acme, admin!, 'SUSPENDED');

    await eventually(
      async () => (throughGateway.closes.length > 0 && direct.closes.length > 0 ? true : undefined),
      'both sockets to close',
    );
    expect(throughGateway.closes[0]!.code).toBe(CLOSE_MEMBERSHIP_REVOKED);
    expect(direct.closes[0]!.code).toBe(CLOSE_MEMBERSHIP_REVOKED);

    const again = socket(supergraph.gatewayUrl, admin!.token);
    const refused = await again.subscribe(EVENTS, { org: acme.organization.id }).next();
    expect(refused.errors?.[0]?.extensions?.closeCode).toBe(4403);
  });

  it('is let back in when another admin reactivates it', async () => {
    const acme = await team();
    const [admin] = acme.members;
    await setStatus(acme, admin!, 'SUSPENDED');
    expectRevoked(await supergraph.gateway(ME, {}, { token: admin!.token }));
    await setStatus(acme, admin!, 'ACTIVE');
    expectNoErrors(await supergraph.gateway(ME, {}, { token: admin!.token }));
  });
});

describe('a removed member', () => {
  it('is refused with the token it already holds, everywhere', async () => {
    const acme = await team();
    const [admin] = acme.members;
    expectNoErrors(await supergraph.gateway(REMOVE, { id: admin!.membership.id }, { token: acme.owner.token }));
    expectRevoked(await supergraph.gateway(CREATE_ROLE, { name: 'Gone' }, { token: admin!.token }));
    expectRevoked(await execute(supergraph.subgraphUrls.authz, ROLES, {}, { token: admin!.token }));
    const askBilling = () =>
      execute(
        billing.url,
        PLAN_OF,
        { r: [{ __typename: 'Organization', id: acme.organization.id }] },
        { token: admin!.token, headers: gatewayCredential(supergraph.config) },
      );
    expectRevoked(await eventually(async () => ((await askBilling()).errors ? askBilling() : undefined), 'billing to refuse'));
  });
});

describe('processes of their own', () => {
  it('do not start without Redis, which is how they learn of suspensions', async () => {
    const refused = await promisify(execFile)(process.execPath, ['-r', 'ts-node/register/transpile-only', 'bin/serve.ts', 'billing'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: supergraph.config.database.url, REDIS_URL: '', BILLING_PORT: '0' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('REDIS_URL is required') });
  });
});
