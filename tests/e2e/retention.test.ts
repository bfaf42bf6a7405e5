import { SUBGRAPHS } from '../../subgraphs';
import { expectError, expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import type { SeededMember, SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

let supergraph: TestSupergraph;
let a: SeededOrganization;
let b: SeededOrganization;
let held: SeededMember;
let free: SeededMember;
let guest: SeededMember;

const DAY = 86_400_000;
const RUN = 'id dryRun status heldUsers categories { category action keepDays status affected held }';
const SET = `mutation($input: SetRetentionPolicyInput!) { setRetentionPolicy(input: $input) { category keepDays action } }`;
const DRY_RUN = `mutation($o: ID!) { retentionDryRun(organizationId: $o) { ${RUN} } }`;
const RUNS = `query($o: ID!) { retentionRuns(organizationId: $o) { ${RUN} } }`;

interface RunCategory {
  category: string;
  action: string;
  keepDays: number;
  status: string;
  affected: number | null;
  held: number | null;
}
interface Run {
  id: string;
  dryRun: boolean;
  status: string;
  heldUsers: number;
  categories: RunCategory[];
}

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  a = await supergraph.seed
    .org({ name: 'Retaining A' })
    .withMember({ role: 'role_member' })
    .withMember({ role: 'role_member' })
    .withMember({ role: 'role_guest' })
    .create();
  [held, free, guest] = a.members as [SeededMember, SeededMember, SeededMember];
  b = await supergraph.seed.org({ name: 'Retaining B' }).withMember({ role: 'role_member' }).create();
});
afterAll(async () => {
  await supergraph?.stop();
});

const sql = <T = Record<string, unknown>>(subgraph: keyof TestSupergraph['dataSources'], text: string, parameters: unknown[] = []) =>
  supergraph.dataSources[subgraph].query(text, parameters) as Promise<T[]>;

/** Data from 200 days ago in every subgraph that owns a category: one of each per person, and one recorded call each. */
async function oldData(organization: SeededOrganization, people: SeededMember[]): Promise<void> {
  const then = new Date(Date.now() - 200 * DAY);
  for (const [index, person] of people.entries()) {
    const sessionId = `sess_old${index}${organization.organization.id.slice(-6)}`;
    await sql(
      'identity',
      `INSERT INTO identity.sessions (id, user_id, organization_id, created_at, last_used_at, expires_at, revoked_at, revoked_reason)
       VALUES ($1, $2, $3, $4, $4, $4::timestamptz + interval '1 day', $4, 'logout')`,
      [sessionId, person.user.id, organization.organization.id, then],
    );
    for (const suffix of ['plain', 'recorded']) {
      await sql(
        'analytics',
        `INSERT INTO analytics.call_records (organization_id, call_id, participants, codec, started_at, ended_at)
         VALUES ($1, $2, $3, 'opus', $4, $4::timestamptz + interval '5 minutes')`,
        [organization.organization.id, `call-${index}-${suffix}`, [person.user.id, 'external-1'], then],
      );
    }
    await sql(
      'analytics',
      `INSERT INTO analytics.recordings (id, organization_id, call_id, storage_url, duration_seconds, created_at, updated_at)
       VALUES ($1, $2, $3, 'https://media.example/r.opus', 300, $4, $4)`,
      [`rec_old${index}${organization.organization.id.slice(-6)}`, organization.organization.id, `call-${index}-recorded`, then],
    );
  }
  await sql(
    'billing',
    `INSERT INTO billing.usage_records (id, organization_id, metric, quantity, occurred_at, idempotency_key)
     VALUES ($1, $2, 'call_minutes', 5, $3, $1)`,
    [`ur_old${organization.organization.id.slice(-8)}`, organization.organization.id, then],
  );
}

/** What each owner holds of the organization's old data, by the person it is about. */
async function remaining(organizationId: string) {
  const [sessions, calls, recordings, usage] = await Promise.all([
    sql<{ user_id: string }>('identity', 'SELECT user_id FROM identity.sessions WHERE organization_id = $1 AND revoked_at IS NOT NULL', [
      organizationId,
    ]),
    sql<{ call_id: string }>('analytics', 'SELECT call_id FROM analytics.call_records WHERE organization_id = $1 ORDER BY call_id', [
      organizationId,
    ]),
    sql<{ call_id: string }>('analytics', 'SELECT call_id FROM analytics.recordings WHERE organization_id = $1 ORDER BY call_id', [
      organizationId,
    ]),
    sql<{ count: number }>('billing', 'SELECT count(*)::int AS count FROM billing.usage_records WHERE organization_id = $1', [
      organizationId,
    ]),
  ]);
  return {
    sessions: sessions.length,
    calls: calls.map((row) => row.call_id),
    recordings: recordings.map((row) => row.call_id),
    usage: usage[0]!.count,
  };
}

const counts = (run: Run) => Object.fromEntries(run.categories.map((c) => [c.category, [c.status, c.affected, c.held]]));

describe('retention through the gateway', () => {
  it('a dry run counts what would go and deletes nothing; the real run deletes exactly that, keeping what a hold covers', async () => {
    const o = a.organization.id;
    const owner = a.owner.token;
    await oldData(a, [held, free]);
    await oldData(b, [b.members[0]!]);
    for (const input of [
      { category: 'SESSIONS', keepDays: 30 },
      { category: 'CALL_RECORDS', keepDays: 90 },
      { category: 'RECORDINGS', keepDays: 90 },
      { category: 'USAGE', keepDays: 180 },
      { category: 'AUDIT_EVENTS', keepDays: 365 },
    ]) {
      expectNoErrors(await supergraph.gateway(SET, { input: { organizationId: o, ...input } }, { token: owner }));
    }
    // Compliance knows the member from identity's facts a moment after they join.
    await eventually(async () => {
      const placed = await supergraph.gateway(
        `mutation($input: PlaceLegalHoldInput!) { placeLegalHold(input: $input) { id } }`,
        { input: { organizationId: o, userId: held.user.id, reason: 'Dispute over March calls' } },
        { token: owner },
      );
      return placed.errors?.[0]?.extensions?.code === 'NOT_FOUND' ? undefined : expectNoErrors(placed);
    }, 'compliance to know the member');
    const before = await remaining(o);
    expect(before).toEqual({
      sessions: 2,
      calls: ['call-0-plain', 'call-0-recorded', 'call-1-plain', 'call-1-recorded'],
      recordings: ['call-0-recorded', 'call-1-recorded'],
      usage: 1,
    });

    const dry = expectNoErrors(
      await supergraph.gateway<{ retentionDryRun: Run }, { o: string }>(DRY_RUN, { o }, { token: owner }),
    ).retentionDryRun;
    const settled = await eventually(async () => {
      const runs = expectNoErrors(
        await supergraph.gateway<{ retentionRuns: Run[] }, { o: string }>(RUNS, { o }, { token: owner }),
      ).retentionRuns;
      const run = runs.find((r) => r.id === dry.id);
      return run?.status === 'COMPLETED' ? run : undefined;
    }, 'every owner to count');
    expect(settled).toMatchObject({ dryRun: true, heldUsers: 1 });
    expect(counts(settled)).toEqual({
      AUDIT_EVENTS: ['COMPLETED', 0, 0],
      // The held person's ended session stays; the other's would go.
      SESSIONS: ['COMPLETED', 1, 1],
      // Recorded calls stay with their recordings; of the plain ones, the held person's is kept.
      CALL_RECORDS: ['COMPLETED', 1, 1],
      RECORDINGS: ['COMPLETED', 1, 1],
      USAGE: ['COMPLETED', 1, 0],
    });
    expect(await remaining(o)).toEqual(before);

    // The daily job, for this organization.
    const job = SUBGRAPHS.compliance.jobs!.find((definition) => definition.name === 'compliance.apply-retention')!;
    const services = SUBGRAPHS.compliance.createServices({
      config: supergraph.config,
      dataSource: supergraph.dataSources.compliance,
      messaging: supergraph.messaging,
    } as never);
    await job.run(
      {
        id: 'test',
        payload: { organizationId: o },
        logger: {} as never,
        signal: new AbortController().signal,
        progress: async () => undefined,
      },
      services,
    );
    const real = await eventually(async () => {
      const runs = expectNoErrors(
        await supergraph.gateway<{ retentionRuns: Run[] }, { o: string }>(RUNS, { o }, { token: owner }),
      ).retentionRuns;
      const run = runs.find((r) => !r.dryRun);
      return run?.status === 'COMPLETED' ? run : undefined;
    }, 'every owner to apply the run');
    expect(counts(real)).toEqual(counts(settled));
    // The free person's recorded call outlived its recording by this run: the next one takes it.
    expect(await remaining(o)).toEqual({
      sessions: 1,
      calls: ['call-0-plain', 'call-0-recorded', 'call-1-recorded'],
      recordings: ['call-0-recorded'],
      usage: 0,
    });
    // What remains is the held person's.
    expect(
      await sql('identity', 'SELECT user_id FROM identity.sessions WHERE organization_id = $1 AND revoked_at IS NOT NULL', [o]),
    ).toEqual([{ user_id: held.user.id }]);
    // Organization B has no policy: nothing of its is touched.
    expect(await remaining(b.organization.id)).toEqual({
      sessions: 1,
      calls: ['call-0-plain', 'call-0-recorded'],
      recordings: ['call-0-recorded'],
      usage: 1,
    });
  });

  it('bounds, permissions and organizations are enforced at the gateway', async () => {
    const o = a.organization.id;
    const refused = expectError(
      await supergraph.gateway(SET, { input: { organizationId: o, category: 'USAGE', keepDays: 30 } }, { token: a.owner.token }),
      'BAD_USER_INPUT',
    );
    expect(refused.extensions?.field).toBe('input.keepDays');
    expect(
      expectError(
        await supergraph.gateway(SET, { input: { organizationId: o, category: 'SESSIONS', keepDays: 30 } }, { token: guest.token }),
        'FORBIDDEN',
      ).extensions?.requiredPermission,
    ).toBe('compliance:manage');
    expect(expectError(await supergraph.gateway(RUNS, { o }, { token: free.token }), 'FORBIDDEN').extensions?.requiredPermission).toBe(
      'compliance:read',
    );
    expectError(await supergraph.gateway(RUNS, { o }, { token: b.owner.token }), 'FORBIDDEN');
    expectError(await supergraph.gateway(DRY_RUN, { o }, { token: b.owner.token }), 'FORBIDDEN');
  });
});
