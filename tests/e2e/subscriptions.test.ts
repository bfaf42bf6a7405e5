import { UpdateOrganizationDocument } from '../../schema/generated/operations';
import { expectNoErrors } from '../kit/client';
import { joinByInvitation } from '../kit/invitations';
import { uniqueEmail } from '../kit/seed';
import type { SeededOrganization } from '../kit/seed';
import { connect } from '../kit/subscriptions';
import type { TestSocket } from '../kit/subscriptions';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

const METRICS = `subscription Metrics($org: ID!) {
  realtimeMetrics(organizationId: $org) {
    activeCalls
    averageMos
    organization { id name subscription { plan { code } } }
  }
}`;
const REPORT =
  'mutation($calls: Int!, $mos: Float) { reportLiveMetrics(input: { activeCalls: $calls, averageMos: $mos }) { activeCalls } }';

interface Snapshot {
  realtimeMetrics: {
    activeCalls: number;
    averageMos: number | null;
    organization: { id: string; name: string; subscription: { plan: { code: string } } };
  };
}

let supergraph: TestSupergraph;
let acme: SeededOrganization;
let globex: SeededOrganization;
const sockets: TestSocket[] = [];

function socket(token?: string): TestSocket {
  const opened = connect(supergraph.gatewayUrl, token);
  sockets.push(opened);
  return opened;
}

async function report(team: SeededOrganization, calls: number, mos?: number): Promise<void> {
  expectNoErrors(await supergraph.gateway(REPORT, { calls, mos }, { token: team.owner.token }));
}

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  acme = await supergraph.seed.org({ name: 'Acme' }).withMember({ role: 'role_guest' }).withMember({ role: 'role_admin' }).create();
  globex = await supergraph.seed.org({ name: 'Globex' }).create();
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.dispose()));
});
afterAll(async () => {
  await supergraph?.stop();
});

describe('subscriptions through the gateway', () => {
  it('plans across subgraphs: the event from analytics, the organization from identity, its plan from billing', async () => {
    const results = socket(acme.owner.token).subscribe<Snapshot>(METRICS, { org: acme.organization.id });
    const first = await results.next();
    expect(first).toEqual({
      data: {
        realtimeMetrics: {
          activeCalls: 0,
          averageMos: null,
          organization: { id: acme.organization.id, name: 'Acme', subscription: { plan: { code: 'FREE' } } },
        },
      },
    });
    await report(acme, 7, 4.2);
    const next = await results.next();
    expect(next.data?.realtimeMetrics).toMatchObject({
      activeCalls: 7,
      organization: { name: 'Acme', subscription: { plan: { code: 'FREE' } } },
    });
    expect(next.data?.realtimeMetrics.averageMos).toBeCloseTo(4.2, 5);
  });

  it("delivers an organization's events only to its own subscribers", async () => {
    const acmeA = socket(acme.owner.token).subscribe<Snapshot>(METRICS, { org: acme.organization.id });
    const acmeB = socket(acme.members[1]!.token).subscribe<Snapshot>(METRICS, { org: acme.organization.id });
    const globexA = socket(globex.owner.token).subscribe<Snapshot>(METRICS, { org: globex.organization.id });
    for (const results of [acmeA, acmeB, globexA]) await results.next();

    await report(acme, 11);
    expect((await acmeA.next()).data?.realtimeMetrics.activeCalls).toBe(11);
    expect((await acmeB.next()).data?.realtimeMetrics.activeCalls).toBe(11);
    const seenByGlobex = await globexA.drain(500);
    expect(seenByGlobex.map((result) => result.data?.realtimeMetrics.organization.id)).not.toContain(acme.organization.id);
    expect(seenByGlobex.map((result) => result.data?.realtimeMetrics.activeCalls)).not.toContain(11);
  });

  it('refuses a guest without analytics:read at subscribe time, with FORBIDDEN', async () => {
    const results = socket(acme.members[0]!.token).subscribe(METRICS, { org: acme.organization.id });
    const refused = await results.next();
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredPermission: 'analytics:read' });
  });

  it("refuses another organization's stream, whatever the role", async () => {
    const results = socket(acme.owner.token).subscribe(METRICS, { org: globex.organization.id });
    const refused = await results.next();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'organizationId' });
  });

  it('refuses a subscription without a token, and a connection with a bad one', async () => {
    const anonymous = await socket().subscribe(METRICS, { org: acme.organization.id }).next();
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const forged = socket('not-a-token');
    const refused = await forged.subscribe(METRICS, { org: acme.organization.id }).next();
    expect(refused.errors?.[0]?.extensions?.closeCode).toBe(4403);
  });

  it('answers queries and mutations over the same socket', async () => {
    const results = socket(acme.owner.token).subscribe<{ me: { id: string } }>('{ me { id } }');
    expect(await results.next()).toEqual({ data: { me: { id: acme.owner.user.id } } });
  });

  it('streams member changes from identity as they happen', async () => {
    const results = socket(acme.owner.token).subscribe<{ organizationEvents: { type: string; user: { email: string } } }>(
      'subscription($org: ID!) { organizationEvents(organizationId: $org) { type user { email } organization { name } } }',
      { org: acme.organization.id },
    );
    // The subgraph subscribes to the bus on its first event request: give it a moment.
    await results.drain(300);
    const email = uniqueEmail('joiner');
    await joinByInvitation(supergraph.gateway, { inviterToken: acme.owner.token, organizationId: acme.organization.id, email });
    expect((await results.next()).data).toEqual({
      organizationEvents: { type: 'MEMBER_ADDED', user: { email }, organization: { name: 'Acme' } },
    });
  });

  it("answers each event with the data as it is then: a renamed organization's next event carries the new name", async () => {
    const team = await supergraph.seed.org({ name: 'Before' }).create();
    const results = socket(team.owner.token).subscribe<{ organizationEvents: { user: { email: string }; organization: { name: string } } }>(
      'subscription($org: ID!) { organizationEvents(organizationId: $org) { user { email } organization { name } } }',
      { org: team.organization.id },
    );
    await results.drain(300);
    const addMember = async () => {
      const email = uniqueEmail('joiner');
      await joinByInvitation(supergraph.gateway, { inviterToken: team.owner.token, organizationId: team.organization.id, email });
      return email;
    };

    const first = await addMember();
    expect((await results.next()).data).toEqual({ organizationEvents: { user: { email: first }, organization: { name: 'Before' } } });

    expectNoErrors(
      await supergraph.gateway(
        UpdateOrganizationDocument,
        { id: team.organization.id, input: { name: 'After' } },
        { token: team.owner.token },
      ),
    );
    const second = await addMember();
    expect((await results.next()).data).toEqual({ organizationEvents: { user: { email: second }, organization: { name: 'After' } } });
  });

  it('ends a subscription when its token expires, with a clear close reason', async () => {
    // Long enough to subscribe on a busy machine before it expires, short enough to watch it end.
    const token = await supergraph.seed.tokenFor(acme.owner.user.id, acme.organization.id, 5);
    const opened = socket(token);
    const results = opened.subscribe<Snapshot>(METRICS, { org: acme.organization.id });
    await results.next();
    let ended = await results.next(15_000);
    // A heartbeat may come before the token expires (every 5 s, in step with earlier subscriptions).
    while (!ended.errors) ended = await results.next(15_000);
    expect(ended.errors?.[0]?.extensions?.closeCode).toBe(4401);
    expect(opened.closes.at(-1)).toEqual({ code: 4401, reason: 'Token expired: sign in again' });
  });

  it('survives the analytics subgraph going away: the client keeps its socket and gets events again', async () => {
    const opened = socket(acme.owner.token);
    const results = opened.subscribe<Snapshot>(METRICS, { org: acme.organization.id });
    await results.next();
    await supergraph.stopSubgraph('analytics');
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await supergraph.restartSubgraph('analytics');
    // Resubscribed upstream, the first event is the current snapshot; a report arrives after it.
    await results.next(10_000);
    await report(acme, 23);
    const after = await results.drain(1_500);
    expect(after.map((result) => result.data?.realtimeMetrics.activeCalls)).toContain(23);
    expect(opened.opened()).toBe(1);
    expect(opened.closes).toEqual([]);
  });
});
