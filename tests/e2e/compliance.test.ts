import { expectError, expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import type { SeededMember, SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

let supergraph: TestSupergraph;
let a: SeededOrganization;
let b: SeededOrganization;
let member: SeededMember;
let guest: SeededMember;
let admin: SeededMember;

const RECORD = 'id userId purpose state noticeVersion source at recordedById';
const GRANT = `mutation($input: GrantConsentInput!) { grantConsent(input: $input) { ${RECORD} } }`;
const WITHDRAW = `mutation($input: WithdrawConsentInput!) { withdrawConsent(input: $input) { ${RECORD} } }`;
const CURRENT = `query($o: ID!, $u: ID, $p: String) { consents(organizationId: $o, userId: $u, purpose: $p) { ${RECORD} } }`;
const HISTORY = `query($o: ID!, $u: ID!, $p: String) { consentHistory(organizationId: $o, userId: $u, purpose: $p) { ${RECORD} } }`;

interface Record {
  id: string;
  userId: string;
  purpose: string;
  state: string;
  noticeVersion: string | null;
  source: string;
  at: string;
  recordedById: string;
}

const grant = (token: string, input: object) =>
  supergraph.gateway<{ grantConsent: Record }, { input: object }>(GRANT, { input }, { token });
const withdraw = (token: string, input: object) =>
  supergraph.gateway<{ withdrawConsent: Record }, { input: object }>(WITHDRAW, { input }, { token });
const current = (token: string, variables: { o: string; u?: string; p?: string }) =>
  supergraph.gateway<{ consents: Record[] }, typeof variables>(CURRENT, variables, { token });
const history = (token: string, variables: { o: string; u: string; p?: string }) =>
  supergraph.gateway<{ consentHistory: Record[] }, typeof variables>(HISTORY, variables, { token });

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  a = await supergraph.seed
    .org({ name: 'Consenting A' })
    .withMember({ role: 'role_member' })
    .withMember({ role: 'role_guest' })
    .withMember({ role: 'role_admin' })
    .create();
  [member, guest, admin] = a.members as [SeededMember, SeededMember, SeededMember];
  b = await supergraph.seed.org({ name: 'Consenting B' }).withMember({ role: 'role_admin' }).create();
});
afterAll(async () => {
  await supergraph?.stop();
});

describe('consent through the gateway', () => {
  it('a member, whatever their role, grants and withdraws their own consent in one call each, and reads it back with its history', async () => {
    const o = a.organization.id;
    for (const person of [member, guest]) {
      const given = expectNoErrors(
        await grant(person.token, { organizationId: o, purpose: 'call_recording', noticeVersion: '2026-01', source: 'WEB' }),
      );
      expect(given.grantConsent).toMatchObject({ userId: person.user.id, state: 'GRANTED', source: 'WEB', recordedById: person.user.id });
      const taken = expectNoErrors(await withdraw(person.token, { organizationId: o, purpose: 'call_recording' }));
      expect(taken.withdrawConsent).toMatchObject({ state: 'WITHDRAWN', noticeVersion: '2026-01', source: 'API' });
    }
    expectNoErrors(await grant(member.token, { organizationId: o, purpose: 'marketing', noticeVersion: '2026-01' }));

    const mine = expectNoErrors(await current(member.token, { o, u: member.user.id }));
    expect(mine.consents.map((c) => [c.purpose, c.state])).toEqual([
      ['call_recording', 'WITHDRAWN'],
      ['marketing', 'GRANTED'],
    ]);
    const trail = expectNoErrors(await history(member.token, { o, u: member.user.id, p: 'call_recording' }));
    expect(trail.consentHistory.map((c) => c.state)).toEqual(['WITHDRAWN', 'GRANTED']);

    // Someone else's, or everyone's, is for owners and admins.
    expect(expectError(await current(member.token, { o }), 'FORBIDDEN').extensions?.requiredPermission).toBe('compliance:read');
    expectError(await history(guest.token, { o, u: member.user.id }), 'FORBIDDEN');
    const everyone = expectNoErrors(await current(admin.token, { o, p: 'call_recording' }));
    expect(everyone.consents.map((c) => c.userId).sort()).toEqual([member.user.id, guest.user.id].sort());
    expect(expectNoErrors(await history(a.owner.token, { o, u: guest.user.id, p: 'call_recording' })).consentHistory).toHaveLength(2);
    // The person, as identity knows them, through the gateway.
    const people = expectNoErrors(
      await supergraph.gateway<{ consents: { userId: string; user: { email: string } }[] }, { o: string }>(
        'query($o: ID!) { consents(organizationId: $o, purpose: "call_recording") { userId user { email } } }',
        { o },
        { token: admin.token },
      ),
    ).consents;
    expect(Object.fromEntries(people.map((c) => [c.userId, c.user.email]))).toEqual({
      [member.user.id]: member.user.email,
      [guest.user.id]: guest.user.email,
    });
  });

  it('an admin records a member’s consent from other records as an IMPORT; a member cannot record anyone else’s', async () => {
    const o = a.organization.id;
    const input = {
      organizationId: o,
      userId: guest.user.id,
      purpose: 'ai_transcription',
      noticeVersion: 'paper-1',
      at: '2025-03-01T10:00:00.000Z',
    };
    expect(expectError(await grant(member.token, input), 'FORBIDDEN').extensions?.requiredPermission).toBe('compliance:manage');
    // Compliance learns the organization's members from identity's facts, a moment after they join.
    const imported = await eventually(async () => {
      const exchange = await grant(admin.token, input);
      return exchange.errors?.[0]?.extensions?.code === 'NOT_FOUND' ? undefined : expectNoErrors(exchange).grantConsent;
    }, 'compliance to know the guest as a member');
    expect(imported).toMatchObject({ userId: guest.user.id, source: 'IMPORT', at: input.at, recordedById: admin.user.id });
    expectError(await withdraw(admin.token, { ...input, noticeVersion: undefined, source: 'WEB' }), 'BAD_USER_INPUT');
    expectError(await grant(member.token, { organizationId: o, purpose: 'Not A Key', noticeVersion: 'v1' }), 'BAD_USER_INPUT');
  });

  it('a member who leaves the organization is no longer recorded for, and what was recorded stays', async () => {
    const c = await supergraph.seed.org({ name: 'Consenting C' }).withMember({ role: 'role_member' }).create();
    const o = c.organization.id;
    const leaver = c.members[0]!;
    expectNoErrors(await grant(leaver.token, { organizationId: o, purpose: 'marketing', noticeVersion: 'v1' }));
    expectNoErrors(
      await supergraph.gateway(
        'mutation($id: ID!) { removeMember(id: $id) { id } }',
        { id: leaver.membership.id },
        { token: c.owner.token },
      ),
    );
    await eventually(async () => {
      const rows: { status: string }[] = await supergraph.dataSources.compliance.query(
        'SELECT status FROM compliance.memberships WHERE organization_id = $1 AND user_id = $2',
        [o, leaver.user.id],
      );
      return rows[0]?.status === 'removed' ? true : undefined;
    }, 'compliance to learn that the member left');
    expectError(
      await grant(c.owner.token, { organizationId: o, userId: leaver.user.id, purpose: 'marketing', noticeVersion: 'v2' }),
      'NOT_FOUND',
    );
    const kept = expectNoErrors(await history(c.owner.token, { o, u: leaver.user.id })).consentHistory;
    expect(kept.map((record) => [record.purpose, record.state, record.noticeVersion])).toEqual([['marketing', 'GRANTED', 'v1']]);
  });

  it('never shows or changes another organization’s consent', async () => {
    const o = a.organization.id;
    const otherAdmin = b.members[0]!;
    expectError(await current(otherAdmin.token, { o }), 'FORBIDDEN');
    expectError(await history(otherAdmin.token, { o, u: guest.user.id }), 'FORBIDDEN');
    expectError(await grant(otherAdmin.token, { organizationId: o, purpose: 'marketing', noticeVersion: 'v1' }), 'FORBIDDEN');
    // Named in B by B's admin, a member of A is not B's member.
    expectError(
      await grant(otherAdmin.token, {
        organizationId: b.organization.id,
        userId: guest.user.id,
        purpose: 'marketing',
        noticeVersion: 'v1',
      }),
      'NOT_FOUND',
    );
    expect(expectNoErrors(await current(otherAdmin.token, { o: b.organization.id })).consents).toEqual([]);
  });
});

const HOLD = 'id userId user { id email } reason reference active placedById placedAt releasedAt releasedById releaseNote';
const PLACE = `mutation($input: PlaceLegalHoldInput!) { placeLegalHold(input: $input) { ${HOLD} } }`;
const RELEASE = `mutation($id: ID!, $note: String!) { releaseLegalHold(id: $id, note: $note) { ${HOLD} } }`;
const HOLDS = `query($o: ID!, $active: Boolean) { legalHolds(organizationId: $o, active: $active) { ${HOLD} } }`;

interface Hold {
  id: string;
  userId: string | null;
  reason: string;
  reference: string | null;
  active: boolean;
  placedById: string;
  releasedAt: string | null;
  releasedById: string | null;
  releaseNote: string | null;
}

const place = (token: string, input: object) =>
  supergraph.gateway<{ placeLegalHold: Hold }, { input: object }>(PLACE, { input }, { token });
const release = (token: string, id: string, note: string) =>
  supergraph.gateway<{ releaseLegalHold: Hold }, { id: string; note: string }>(RELEASE, { id, note }, { token });
const holds = (token: string, o: string, active?: boolean) =>
  supergraph.gateway<{ legalHolds: Hold[] }, { o: string; active?: boolean }>(HOLDS, { o, active }, { token });

describe('legal holds through the gateway', () => {
  it('an admin holds a member’s data and the whole organization’s, releases one with a note, and both stay listed', async () => {
    const d = await supergraph.seed
      .org({ name: 'Holding D' })
      .withMember({ role: 'role_admin' })
      .withMember({ role: 'role_member' })
      .create();
    const [holder, person] = d.members as [SeededMember, SeededMember];
    const o = d.organization.id;
    const personal = await eventually(async () => {
      const exchange = await place(holder.token, {
        organizationId: o,
        userId: person.user.id,
        reason: 'Dispute over March',
        reference: 'CASE-1',
      });
      return exchange.errors?.[0]?.extensions?.code === 'NOT_FOUND' ? undefined : expectNoErrors(exchange).placeLegalHold;
    }, 'compliance to know the member');
    expect(personal).toMatchObject({
      userId: person.user.id,
      reference: 'CASE-1',
      active: true,
      placedById: holder.user.id,
      releasedAt: null,
    });
    const whole = expectNoErrors(await place(d.owner.token, { organizationId: o, reason: 'Regulator inquiry' })).placeLegalHold;
    expect(whole).toMatchObject({ userId: null, user: null, active: true });

    const released = expectNoErrors(await release(holder.token, whole.id, 'Inquiry closed')).releaseLegalHold;
    expect(released).toMatchObject({ active: false, releasedById: holder.user.id, releaseNote: 'Inquiry closed' });
    expect(released.releasedAt).not.toBeNull();
    expectError(await release(holder.token, whole.id, 'again'), 'CONFLICT');

    expect(expectNoErrors(await holds(holder.token, o)).legalHolds.map((hold) => hold.id)).toEqual([whole.id, personal.id]);
    expect(expectNoErrors(await holds(holder.token, o, true)).legalHolds.map((hold) => hold.id)).toEqual([personal.id]);
    expect(expectNoErrors(await holds(d.owner.token, o, false)).legalHolds).toMatchObject([
      { id: whole.id, releaseNote: 'Inquiry closed' },
    ]);

    // Placing and releasing are facts for the other subgraphs: the audit log has them, by who did it.
    const actions = await eventually(async () => {
      const { auditLogs } = expectNoErrors(
        await supergraph.gateway<{ auditLogs: { nodes: { action: string; actor: { id: string } }[] } }, { o: string }>(
          'query($o: ID!) { auditLogs(organizationId: $o, filter: { actionPrefix: "compliance.legal_hold." }, first: 10) { nodes { action actor { id } } } }',
          { o },
          { token: d.owner.token },
        ),
      );
      return auditLogs.nodes.length === 3 ? auditLogs.nodes.map((node) => [node.action, node.actor.id]).sort() : undefined;
    }, 'the audit log to record the hold facts');
    expect(actions).toEqual(
      [
        ['compliance.legal_hold.place', holder.user.id],
        ['compliance.legal_hold.place', d.owner.user.id],
        ['compliance.legal_hold.release', holder.user.id],
      ].sort(),
    );
  });

  it('is for owners and admins only, and never reaches another organization’s holds', async () => {
    const o = a.organization.id;
    const hold = expectNoErrors(await place(admin.token, { organizationId: o, reason: 'Audit of A' })).placeLegalHold;
    expect(expectError(await place(member.token, { organizationId: o, reason: 'x' }), 'FORBIDDEN').extensions?.requiredPermission).toBe(
      'compliance:manage',
    );
    expectError(await release(guest.token, hold.id, 'x'), 'FORBIDDEN');
    expect(expectError(await holds(member.token, o), 'FORBIDDEN').extensions?.requiredPermission).toBe('compliance:read');

    const otherAdmin = b.members[0]!;
    expectError(await release(otherAdmin.token, hold.id, 'not mine'), 'NOT_FOUND');
    expectError(await holds(otherAdmin.token, o), 'FORBIDDEN');
    expectError(await place(otherAdmin.token, { organizationId: o, reason: 'x' }), 'FORBIDDEN');
    expectError(await place(otherAdmin.token, { organizationId: b.organization.id, userId: guest.user.id, reason: 'x' }), 'NOT_FOUND');
    expect(expectNoErrors(await holds(admin.token, o, true)).legalHolds.map((h) => h.id)).toContain(hold.id);
    expectError(await place(admin.token, { organizationId: o, reason: '   ' }), 'BAD_USER_INPUT');
  });
});
