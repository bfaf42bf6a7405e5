import type { DataSource } from 'typeorm';
import { newId } from '../../../platform/ids';
import type { EventPayload } from '../../../platform/outbox/event-catalogue';
import { callerWith, openComplianceSpec } from '../../../tests/kit/compliance-spec';
import type { ComplianceSpec } from '../../../tests/kit/compliance-spec';
import { RetentionRunStatus } from '../entities/retention-run.entity';
import { applyRetentionJob } from '../jobs/apply-retention.job';
import type { ComplianceServices } from '.';

let spec: ComplianceSpec | undefined;
let dataSource: DataSource;
let services: ComplianceServices;
let sequence = 0;

beforeAll(async () => {
  spec = await openComplianceSpec('retention-test');
  ({ dataSource, services } = spec);
});
afterAll(async () => spec?.close());

async function organization() {
  const organizationId = newId('organization');
  const [owner, member] = [newId('user'), newId('user')];
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
  await apply({
    type: 'identity.member.added',
    payload: { organizationId, userId: member, membershipId: newId('member'), status: 'active' },
  });
  return { organizationId, owner, member, admin: callerWith(organizationId, owner) };
}

async function requestsOf(runId: string): Promise<EventPayload<'compliance.retention.requested'>[]> {
  const rows = (await dataSource.query(
    `SELECT payload FROM compliance.outbox WHERE type = 'compliance.retention.requested' AND payload->>'runId' = $1`,
    [runId],
  )) as { payload: EventPayload<'compliance.retention.requested'> }[];
  return rows.map((row) => row.payload);
}

describe('retention policies', () => {
  it('keeps one policy per category, replaced when set again, each within its bounds and with an action it offers', async () => {
    const { organizationId, admin } = await organization();
    const set = (input: object) => services.retention.setPolicy(admin, { organizationId, category: 'sessions', keepDays: 30, ...input });
    expect(await set({})).toMatchObject({ category: 'sessions', keepDays: 30, action: 'delete', updatedById: admin.principal.userId });
    expect(await set({ keepDays: 90 })).toMatchObject({ keepDays: 90 });
    expect(await set({ category: 'audit_events', keepDays: 400 })).toMatchObject({ action: 'archive' });
    expect((await services.retention.policies(admin, organizationId)).map((p) => [p.category, p.keepDays])).toEqual([
      ['audit_events', 400],
      ['sessions', 90],
    ]);

    for (const [input, field] of [
      [{ keepDays: 0 }, 'input.keepDays'],
      [{ keepDays: 3_651 }, 'input.keepDays'],
      [{ keepDays: 1.5 }, 'input.keepDays'],
      // Usage backs invoices: the card networks' 120-day dispute window is its floor.
      [{ category: 'usage', keepDays: 119 }, 'input.keepDays'],
      [{ category: 'audit_events', action: 'delete' }, 'input.action'],
      [{ category: 'recordings', action: 'archive' }, 'input.action'],
      [{ category: 'passwords' }, 'input.category'],
    ] as const) {
      await expect(set(input)).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field } });
    }
    expect(await set({ category: 'usage', keepDays: 120 })).toMatchObject({ keepDays: 120 });

    expect(await services.retention.removePolicy(admin, organizationId, 'sessions')).toBe(true);
    expect(await services.retention.removePolicy(admin, organizationId, 'sessions')).toBe(false);
    expect((await services.retention.policies(admin, organizationId)).map((p) => p.category)).toEqual(['audit_events', 'usage']);
  });

  it('never reads or changes another organization’s policies or runs', async () => {
    const a = await organization();
    const b = await organization();
    await services.retention.setPolicy(b.admin, { organizationId: b.organizationId, category: 'recordings', keepDays: 30 });
    const run = await services.retention.start(b.organizationId, { dryRun: true });
    await expect(services.retention.policies(a.admin, b.organizationId)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(
      services.retention.setPolicy(a.admin, { organizationId: b.organizationId, category: 'recordings', keepDays: 10 }),
    ).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN', field: 'input.organizationId' } });
    await expect(services.retention.removePolicy(a.admin, b.organizationId, 'recordings')).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    await expect(services.retention.dryRun(a.admin, b.organizationId, 0)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(services.retention.runs(a.admin, b.organizationId)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(services.retention.run(a.admin, run.run.id)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(await services.retention.policies(a.admin, a.organizationId)).toEqual([]);

    // A report naming A for B's run changes nothing.
    await dataSource.transaction((manager) =>
      services.retention.applyReport(
        {
          organizationId: a.organizationId,
          runId: run.run.id,
          category: 'recordings',
          action: 'delete',
          dryRun: true,
          affected: 7,
          held: 0,
        },
        manager,
      ),
    );
    expect((await services.retention.run(b.admin, run.run.id)).categories[0]).toMatchObject({
      status: RetentionRunStatus.PENDING,
      affected: null,
    });
  });
});

describe('retention runs', () => {
  it('asks the owners in one fact with each cutoff and the people held, and records what they report', async () => {
    const { organizationId, member, admin } = await organization();
    await services.retention.setPolicy(admin, { organizationId, category: 'call_records', keepDays: 30 });
    await services.retention.setPolicy(admin, { organizationId, category: 'sessions', keepDays: 7 });
    await services.legalHolds.place(admin, { organizationId, userId: member, reason: 'Dispute' });
    const now = new Date('2026-06-01T00:00:00Z');

    const started = await services.retention.start(organizationId, { dryRun: false, now });
    expect(started).toMatchObject({
      status: RetentionRunStatus.PENDING,
      run: { heldUsers: 1, organizationHeld: false, requestedById: null },
    });
    expect(await requestsOf(started.run.id)).toEqual([
      {
        organizationId,
        runId: started.run.id,
        dryRun: false,
        categories: [
          { category: 'call_records', action: 'delete', cutoff: '2026-05-02T00:00:00.000Z' },
          { category: 'sessions', action: 'delete', cutoff: '2026-05-25T00:00:00.000Z' },
        ],
        heldUserIds: [member],
      },
    ]);

    const report = (category: 'call_records' | 'sessions', affected: number) =>
      dataSource.transaction((manager) =>
        services.retention.applyReport(
          { organizationId, runId: started.run.id, category, action: 'delete', dryRun: false, affected, held: 2 },
          manager,
        ),
      );
    await report('call_records', 5);
    expect((await services.retention.run(admin, started.run.id)).status).toBe(RetentionRunStatus.PENDING);
    await report('sessions', 3);
    // A report delivered again changes nothing.
    await report('sessions', 99);
    const done = await services.retention.run(admin, started.run.id);
    expect(done.status).toBe(RetentionRunStatus.COMPLETED);
    expect(done.categories.map((c) => [c.category, c.status, c.affected, c.held])).toEqual([
      ['call_records', RetentionRunStatus.COMPLETED, 5, 2],
      ['sessions', RetentionRunStatus.COMPLETED, 3, 2],
    ]);
    expect((await services.retention.runs(admin, organizationId)).map((view) => view.run.id)).toEqual([started.run.id]);
    await expect(services.retention.runs(admin, organizationId, 101)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'first' },
    });
  });

  it('under a hold on the whole organization asks nothing and says HELD; once released, the next run asks again', async () => {
    const { organizationId, admin } = await organization();
    await services.retention.setPolicy(admin, { organizationId, category: 'recordings', keepDays: 30 });
    const hold = await services.legalHolds.place(admin, { organizationId, reason: 'Regulator inquiry' });

    const held = await services.retention.dryRun(admin, organizationId, 0);
    expect(held).toMatchObject({ status: RetentionRunStatus.HELD, run: { dryRun: true, requestedById: admin.principal.userId } });
    expect(held.categories.map((c) => [c.category, c.status])).toEqual([['recordings', RetentionRunStatus.HELD]]);
    expect(await requestsOf(held.run.id)).toEqual([]);

    await services.legalHolds.release(admin, hold.id, 'Closed');
    const next = await services.retention.start(organizationId, { dryRun: true });
    expect(next.status).toBe(RetentionRunStatus.PENDING);
    expect(await requestsOf(next.run.id)).toHaveLength(1);
  });

  it('the daily job starts one run for each organization with a policy, or only the one named', async () => {
    const a = await organization();
    const b = await organization();
    const bare = await organization();
    await services.retention.setPolicy(a.admin, { organizationId: a.organizationId, category: 'sessions', keepDays: 30 });
    await services.retention.setPolicy(b.admin, { organizationId: b.organizationId, category: 'sessions', keepDays: 30 });
    const context = (payload: object) => ({
      id: 'job-1',
      payload,
      logger: { info: () => undefined } as never,
      signal: new AbortController().signal,
      progress: async () => undefined,
    });

    const result = await applyRetentionJob.run(context({ organizationId: a.organizationId, dryRun: true }), services);
    expect(result).toEqual({ organizations: 1, categories: 1, heldOrganizations: 0, dryRun: true });
    expect((await services.retention.runs(a.admin, a.organizationId)).map((view) => view.run.dryRun)).toEqual([true]);
    expect(await services.retention.runs(b.admin, b.organizationId)).toEqual([]);

    await applyRetentionJob.run(context({}), services);
    expect(await services.retention.runs(b.admin, b.organizationId)).toHaveLength(1);
    expect(await services.retention.runs(bare.admin, bare.organizationId)).toEqual([]);
  });
});
