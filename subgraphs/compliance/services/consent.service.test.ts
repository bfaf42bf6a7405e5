import type { DataSource } from 'typeorm';
import { newId } from '../../../platform/ids';
import type { MembershipEvent } from '../../../platform/outbox/event-catalogue';
import { callerWith, openComplianceSpec } from '../../../tests/kit/compliance-spec';
import type { ComplianceSpec } from '../../../tests/kit/compliance-spec';
import { ConsentSource, ConsentState } from '../entities/consent-record.entity';
import type { ComplianceServices } from '.';

let spec: ComplianceSpec | undefined;
let dataSource: DataSource;
let services: ComplianceServices;
let sequence = 0;

beforeAll(async () => {
  spec = await openComplianceSpec('consent-test');
  ({ dataSource, services } = spec);
});
afterAll(async () => spec?.close());

/** A caller holding `permissions` (as the authz decision point would answer) in their organization. */

/** Identity's membership fact, applied as compliance's consumer applies it. */
async function fact(event: Omit<MembershipEvent, 'id' | 'source' | 'sequence' | 'occurredAt'>, at = ++sequence): Promise<void> {
  await dataSource.transaction((manager) =>
    services.memberships.apply(
      { ...event, id: newId('event'), source: 'identity', sequence: at, occurredAt: new Date() } as MembershipEvent,
      manager,
    ),
  );
}

async function organization() {
  const organizationId = newId('organization');
  const [owner, member, other] = [newId('user'), newId('user'), newId('user')];
  await fact({
    type: 'identity.organization.created',
    payload: { organizationId, name: 'Org', creatorUserId: owner, creatorMembershipId: newId('member') },
  });
  await fact({
    type: 'identity.member.added',
    payload: { organizationId, userId: member, membershipId: newId('member'), status: 'active' },
  });
  return {
    organizationId,
    owner,
    member,
    other,
    admin: callerWith(organizationId, owner, ['compliance:read', 'compliance:manage']),
    self: callerWith(organizationId, member),
  };
}

describe('consent', () => {
  it('keeps every grant and withdrawal; the current state is the latest, per person and purpose', async () => {
    const { organizationId, member, self } = await organization();
    await services.consents.grant(self, { organizationId, purpose: 'call_recording', noticeVersion: '2026-01', source: ConsentSource.WEB });
    await services.consents.grant(self, { organizationId, purpose: 'marketing', noticeVersion: '2026-01' });
    await services.consents.grant(self, { organizationId, purpose: 'call_recording', noticeVersion: '2026-02' });
    const withdrawal = await services.consents.withdraw(self, { organizationId, purpose: 'call_recording' });
    expect(withdrawal).toMatchObject({
      userId: member,
      purpose: 'call_recording',
      state: ConsentState.WITHDRAWN,
      noticeVersion: '2026-02',
      source: ConsentSource.API,
      recordedById: member,
    });
    expect(withdrawal.id).toMatch(/^cns_/);

    const current = await services.consents.current(self, organizationId, { userId: member });
    expect(current.map((row) => [row.purpose, row.state, row.noticeVersion])).toEqual([
      ['call_recording', ConsentState.WITHDRAWN, '2026-02'],
      ['marketing', ConsentState.GRANTED, '2026-01'],
    ]);
    const history = await services.consents.history(self, organizationId, member, 'call_recording');
    expect(history.map((row) => [row.state, row.noticeVersion, row.source])).toEqual([
      [ConsentState.WITHDRAWN, '2026-02', ConsentSource.API],
      [ConsentState.GRANTED, '2026-02', ConsentSource.API],
      [ConsentState.GRANTED, '2026-01', ConsentSource.WEB],
    ]);
    expect(await services.consents.history(self, organizationId, member)).toHaveLength(4);
  });

  it('a member reads only their own; an owner or admin reads everyone’s in the organization', async () => {
    const { organizationId, owner, member, self, admin } = await organization();
    await services.consents.grant(self, { organizationId, purpose: 'analytics', noticeVersion: 'v1' });
    await services.consents.grant(callerWith(organizationId, owner), { organizationId, purpose: 'analytics', noticeVersion: 'v1' });
    await expect(services.consents.current(self, organizationId)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', requiredPermission: 'compliance:read' },
    });
    await expect(services.consents.history(self, organizationId, owner)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', requiredPermission: 'compliance:read' },
    });
    expect((await services.consents.current(admin, organizationId)).map((row) => row.userId).sort()).toEqual([member, owner].sort());
    expect((await services.consents.history(admin, organizationId, member)).map((row) => row.purpose)).toEqual(['analytics']);
    expect(await services.consents.current(admin, organizationId, { purpose: 'marketing' })).toEqual([]);
  });

  it('an owner or admin records a member’s consent as an IMPORT, dated as the records say; a member cannot', async () => {
    const { organizationId, owner, member, other, self, admin } = await organization();
    const given = new Date('2025-06-01T09:00:00Z');
    const imported = await services.consents.grant(admin, {
      organizationId,
      userId: member,
      purpose: 'ai_transcription',
      noticeVersion: 'paper-3',
      at: given,
    });
    expect(imported).toMatchObject({ userId: member, source: ConsentSource.IMPORT, at: given, recordedById: owner });
    // The member's own later withdrawal is the current state; an older imported grant does not override it.
    await services.consents.withdraw(self, { organizationId, purpose: 'ai_transcription' });
    await services.consents.grant(admin, {
      organizationId,
      userId: member,
      purpose: 'ai_transcription',
      noticeVersion: 'paper-2',
      at: new Date('2025-01-01T00:00:00Z'),
    });
    expect((await services.consents.current(admin, organizationId, { userId: member }))[0]).toMatchObject({
      state: ConsentState.WITHDRAWN,
    });

    await expect(
      services.consents.grant(self, { organizationId, userId: owner, purpose: 'marketing', noticeVersion: 'v1' }),
    ).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN', requiredPermission: 'compliance:manage' } });
    await expect(
      services.consents.withdraw(admin, { organizationId, userId: member, purpose: 'marketing', source: ConsentSource.WEB }),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.source' } });
    await expect(
      services.consents.grant(admin, {
        organizationId,
        userId: member,
        purpose: 'marketing',
        noticeVersion: 'v1',
        at: new Date(Date.now() + 3_600_000),
      }),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.at' } });
    // Someone compliance never saw join the organization is no member of it.
    await expect(
      services.consents.grant(admin, { organizationId, userId: other, purpose: 'marketing', noticeVersion: 'v1' }),
    ).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND', field: 'input.userId' },
    });
  });

  it('follows identity’s membership facts: a removed member is no longer recorded for, and an older fact changes nothing', async () => {
    const { organizationId, member, admin } = await organization();
    const membershipId = newId('member');
    await services.consents.grant(admin, { organizationId, userId: member, purpose: 'marketing', noticeVersion: 'v1' });
    await fact({ type: 'identity.member.removed', payload: { organizationId, userId: member, membershipId } }, 10_000 + sequence);
    await fact({ type: 'identity.member.status_changed', payload: { organizationId, userId: member, membershipId, status: 'active' } }, 1);
    expect(await services.memberships.statusOf(organizationId, member)).toBe('removed');
    await expect(
      services.consents.grant(admin, { organizationId, userId: member, purpose: 'marketing', noticeVersion: 'v1' }),
    ).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
    // What was recorded while they were a member stays readable.
    expect((await services.consents.history(admin, organizationId, member)).map((row) => row.state)).toEqual([ConsentState.GRANTED]);
  });

  it('never reads or writes another organization’s consent', async () => {
    const a = await organization();
    const b = await organization();
    await services.consents.grant(b.self, { organizationId: b.organizationId, purpose: 'marketing', noticeVersion: 'v1' });
    await expect(services.consents.current(a.admin, b.organizationId)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(services.consents.history(a.admin, b.organizationId, b.member)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    await expect(
      services.consents.grant(a.admin, { organizationId: b.organizationId, userId: b.member, purpose: 'marketing', noticeVersion: 'v1' }),
    ).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN', field: 'input.organizationId' } });
    // A member of B named by A's admin, in A: not A's member.
    await expect(
      services.consents.grant(a.admin, { organizationId: a.organizationId, userId: b.member, purpose: 'marketing', noticeVersion: 'v1' }),
    ).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(await services.consents.history(a.admin, a.organizationId, b.member)).toEqual([]);
  });

  it('refuses bad input, naming the field', async () => {
    const { organizationId, self } = await organization();
    for (const purpose of ['', 'Marketing', 'call recording', '1st', 'x'.repeat(65)]) {
      await expect(services.consents.grant(self, { organizationId, purpose, noticeVersion: 'v1' })).rejects.toMatchObject({
        extensions: { code: 'BAD_USER_INPUT', field: 'input.purpose' },
      });
    }
    await expect(services.consents.grant(self, { organizationId, purpose: 'marketing', noticeVersion: 'v 1' })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.noticeVersion' },
    });
    await expect(
      services.consents.grant(self, { organizationId, purpose: 'marketing', noticeVersion: 'v1', source: ConsentSource.IMPORT }),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.source' } });
    await expect(
      services.consents.withdraw(self, { organizationId, purpose: 'marketing', at: new Date('2020-01-01') }),
    ).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.at' },
    });
    await expect(
      services.consents.grant(self, { organizationId, userId: 'nobody', purpose: 'marketing', noticeVersion: 'v1' }),
    ).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.userId' },
    });
    expect(await services.consents.history(self, organizationId, self.principal.userId)).toEqual([]);
  });
});
