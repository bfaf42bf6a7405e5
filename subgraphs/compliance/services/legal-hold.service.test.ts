import type { DataSource } from 'typeorm';
import { newId } from '../../../platform/ids';
import { callerWith, openComplianceSpec } from '../../../tests/kit/compliance-spec';
import type { ComplianceSpec } from '../../../tests/kit/compliance-spec';
import type { ComplianceServices } from '.';

let spec: ComplianceSpec | undefined;
let dataSource: DataSource;
let services: ComplianceServices;
let sequence = 0;

beforeAll(async () => {
  spec = await openComplianceSpec('legal-hold-test');
  ({ dataSource, services } = spec);
});
afterAll(async () => spec?.close());

/** An organization with an owner and two members, as compliance learns it from identity's facts; the second member has left. */
async function organization() {
  const organizationId = newId('organization');
  const [owner, member, leaver] = [newId('user'), newId('user'), newId('user')];
  const apply = (event: object) =>
    dataSource.transaction((manager) =>
      services.memberships.apply(
        { id: newId('event'), source: 'identity', sequence: ++sequence, occurredAt: new Date(), ...event } as never,
        manager,
      ),
    );
  await apply({
    type: 'identity.organization.created',
    payload: { organizationId, name: 'Org', creatorUserId: owner, creatorMembershipId: newId('member') },
  });
  for (const userId of [member, leaver]) {
    await apply({ type: 'identity.member.added', payload: { organizationId, userId, membershipId: newId('member'), status: 'active' } });
  }
  await apply({ type: 'identity.member.removed', payload: { organizationId, userId: leaver, membershipId: newId('member') } });
  return { organizationId, owner, member, leaver, admin: callerWith(organizationId, owner) };
}

async function factsOf(holdId: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  return dataSource.query(`SELECT type, payload FROM compliance.outbox WHERE payload->>'holdId' = $1 ORDER BY sequence`, [holdId]);
}

describe('legal holds', () => {
  it('a hold on a person covers only them, one on the organization everyone; released holds are kept and cover nothing', async () => {
    const { organizationId, owner, member, leaver, admin } = await organization();
    expect(await services.legalHolds.isHeld(organizationId, member)).toBe(false);

    const personal = await services.legalHolds.place(admin, {
      organizationId,
      userId: leaver,
      reason: '  Dispute over the March calls ',
      reference: 'CASE-7',
    });
    expect(personal).toMatchObject({
      userId: leaver,
      reason: 'Dispute over the March calls',
      reference: 'CASE-7',
      placedById: owner,
      releasedAt: null,
    });
    expect(personal.id).toMatch(/^hold_/);
    expect(await services.legalHolds.isHeld(organizationId, leaver)).toBe(true);
    expect(await services.legalHolds.isHeld(organizationId, member)).toBe(false);

    const everyone = await services.legalHolds.place(admin, { organizationId, reason: 'Regulator inquiry' });
    expect(everyone).toMatchObject({ userId: null, reference: null });
    expect(await services.legalHolds.isHeld(organizationId, member)).toBe(true);

    const released = await services.legalHolds.release(admin, everyone.id, 'Inquiry closed');
    expect(released).toMatchObject({ releasedById: owner, releaseNote: 'Inquiry closed' });
    expect(released.releasedAt).toBeInstanceOf(Date);
    expect(await services.legalHolds.isHeld(organizationId, member)).toBe(false);
    expect(await services.legalHolds.isHeld(organizationId, leaver)).toBe(true);

    expect((await services.legalHolds.list(admin, organizationId)).map((hold) => hold.id)).toEqual([everyone.id, personal.id]);
    expect((await services.legalHolds.list(admin, organizationId, true)).map((hold) => hold.id)).toEqual([personal.id]);
    expect((await services.legalHolds.list(admin, organizationId, false)).map((hold) => hold.id)).toEqual([everyone.id]);
    await expect(services.legalHolds.release(admin, everyone.id, 'again')).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
  });

  it('tells the other subgraphs through the outbox when a hold is placed and released', async () => {
    const { organizationId, owner, member, admin } = await organization();
    const hold = await services.legalHolds.place(admin, { organizationId, userId: member, reason: 'Litigation', reference: 'L-1' });
    await services.legalHolds.release(admin, hold.id, 'Settled');
    expect(await factsOf(hold.id)).toEqual([
      {
        type: 'compliance.legal_hold.placed',
        payload: { organizationId, holdId: hold.id, userId: member, placedById: owner, reference: 'L-1' },
      },
      { type: 'compliance.legal_hold.released', payload: { organizationId, holdId: hold.id, userId: member, releasedById: owner } },
    ]);
  });

  it('holds only someone who is or was a member, and never reaches another organization', async () => {
    const a = await organization();
    const b = await organization();
    await expect(
      services.legalHolds.place(a.admin, { organizationId: a.organizationId, userId: b.member, reason: 'x' }),
    ).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND', field: 'input.userId' },
    });
    await expect(services.legalHolds.place(a.admin, { organizationId: b.organizationId, reason: 'x' })).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', field: 'input.organizationId' },
    });
    const bHold = await services.legalHolds.place(b.admin, { organizationId: b.organizationId, reason: 'B matter' });
    await expect(services.legalHolds.release(a.admin, bHold.id, 'not yours')).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await expect(services.legalHolds.list(a.admin, b.organizationId)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(await services.legalHolds.isHeld(a.organizationId, a.member)).toBe(false);
    expect((await services.legalHolds.list(b.admin, b.organizationId, true)).map((hold) => hold.id)).toEqual([bHold.id]);
  });

  it('refuses bad input, naming the field', async () => {
    const { organizationId, admin } = await organization();
    await expect(services.legalHolds.place(admin, { organizationId, reason: '   ' })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.reason' },
    });
    await expect(services.legalHolds.place(admin, { organizationId, reason: 'x'.repeat(1001) })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.reason' },
    });
    await expect(services.legalHolds.place(admin, { organizationId, reason: 'ok', reference: 'two\nlines' })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.reference' },
    });
    await expect(services.legalHolds.place(admin, { organizationId, userId: 'someone', reason: 'ok' })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.userId' },
    });
    await expect(services.legalHolds.release(admin, 'hold-1', 'ok')).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'id' },
    });
    const hold = await services.legalHolds.place(admin, { organizationId, reason: 'ok' });
    await expect(services.legalHolds.release(admin, hold.id, '')).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'note' },
    });
    expect(await services.legalHolds.list(admin, organizationId, true)).toHaveLength(1);
  });
});
