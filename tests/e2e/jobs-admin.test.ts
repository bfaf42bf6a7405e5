import { expectError, expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import type { SeededOrganization } from '../kit/seed';
import { connect } from '../kit/subscriptions';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';
import { createLogger } from '../../platform/logger';
import type { JobRunner } from '../../platform/jobs/runner';
import { startWorker } from '../../runtime/jobs';

let supergraph: TestSupergraph;
let worker: JobRunner;
let a: SeededOrganization;
let b: SeededOrganization;

interface Run {
  id: string;
  job: string;
  organizationId: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  progress: { done: number; total: number } | null;
  lastError: string | null;
  result: Record<string, unknown> | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  nextAttemptAt: string | null;
}

const FIELDS =
  'id job organizationId status attempts maxAttempts progress { done total } lastError result queuedAt startedAt finishedAt nextAttemptAt';
const JOBS = `query($o: ID!, $f: JobRunFilter, $first: Int) { jobs(organizationId: $o, filter: $f, first: $first) { ${FIELDS} } }`;
const JOB = `query($id: ID!) { job(id: $id) { ${FIELDS} } }`;

const jobs = (token: string, organizationId: string, filter: Record<string, unknown> = {}, first = 50) =>
  supergraph.gateway<{ jobs: Run[] }, Record<string, unknown>>(JOBS, { o: organizationId, f: filter, first }, { token });
const job = (token: string, id: string) => supergraph.gateway<{ job: Run }, Record<string, unknown>>(JOB, { id }, { token });

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  a = await supergraph.seed.org({ name: 'Jobs A' }).withMember({ role: 'role_admin' }).withMember({ role: 'role_member' }).create();
  b = await supergraph.seed.org({ name: 'Jobs B' }).create();
  // The worker as `npm start` runs it: the real jobs, announcing runs on the process's event bus.
  worker = await startWorker(
    {
      config: supergraph.config,
      logger: createLogger('silent'),
      dataSources: supergraph.dataSources,
      access: supergraph.access,
      events: supergraph.events,
      messaging: supergraph.messaging,
    },
    supergraph.database.url,
  );
}, 120_000);
afterAll(async () => {
  await worker?.close();
  await supergraph?.stop();
});

describe('background job runs for admins', () => {
  it('shows an admin their organization’s runs as they go: status, attempts, result, last error, times; and streams them', async () => {
    const admin = a.members[0]!.token;
    const organizationId = a.organization.id;
    const socket = connect(supergraph.gatewayUrl, admin);
    try {
      const stream = socket.subscribe<{ jobUpdates: Run }>(`subscription($o: ID!) { jobUpdates(organizationId: $o) { ${FIELDS} } }`, {
        o: organizationId,
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const archived = await worker.send('audit.archive-events', { organizationId });
      const invoiced = await worker.send('billing.issue-invoices', { organizationId });
      await worker.send('audit.archive-events', { organizationId: b.organization.id });

      // The archive run: started, then completed, each event the run as it was then; B's never.
      const seen: Run[] = [];
      while (!seen.some((run) => run.id === archived && run.status === 'COMPLETED')) {
        const result = await stream.next(30_000);
        expect(result.errors).toBeUndefined();
        seen.push(result.data!.jobUpdates);
      }
      expect(seen.every((run) => run.organizationId === organizationId)).toBe(true);
      expect(seen.filter((run) => run.id === archived).at(-1)).toMatchObject({ status: 'COMPLETED', attempts: 1 });

      const done = expectNoErrors(await job(admin, archived!)).job;
      expect(done).toMatchObject({
        job: 'audit.archive-events',
        organizationId,
        status: 'COMPLETED',
        attempts: 1,
        maxAttempts: 3,
        lastError: null,
      });
      expect(done.result).toEqual(expect.objectContaining({ archived: expect.any(Number) }));
      expect(new Date(done.finishedAt!).getTime()).toBeGreaterThanOrEqual(new Date(done.startedAt!).getTime());
      expect(new Date(done.startedAt!).getTime()).toBeGreaterThanOrEqual(new Date(done.queuedAt).getTime());

      // issue-invoices refuses one organization: its attempt failed, it waits for its retry, saying why.
      const retrying = await eventually(async () => {
        const run = expectNoErrors(await job(admin, invoiced!)).job;
        return run.status === 'RETRYING' ? run : undefined;
      }, 'the invoice run to fail its first attempt');
      expect(retrying).toMatchObject({ attempts: 1, maxAttempts: 3, finishedAt: null, result: null });
      expect(retrying.lastError).toContain('runs for every organization');
      expect(new Date(retrying.nextAttemptAt!).getTime()).toBeGreaterThan(new Date(retrying.startedAt!).getTime());

      const listed = expectNoErrors(await jobs(admin, organizationId)).jobs;
      expect(listed.map((run) => run.id).sort()).toEqual([archived, invoiced].sort());
      expect(expectNoErrors(await jobs(admin, organizationId, { statuses: ['RETRYING'] })).jobs.map((run) => run.id)).toEqual([invoiced]);
      expect(expectNoErrors(await jobs(admin, organizationId, { job: 'audit.archive-events' })).jobs.map((run) => run.id)).toEqual([
        archived,
      ]);
      expect(expectNoErrors(await jobs(admin, organizationId, {}, 1)).jobs).toHaveLength(1);
    } finally {
      await socket.dispose();
    }
  });

  it('keeps organizations apart and asks for jobs:read', async () => {
    const admin = a.members[0]!.token;
    const bRuns = await eventually(async () => {
      const runs = expectNoErrors(await jobs(b.owner.token, b.organization.id)).jobs;
      return runs.length > 0 ? runs : undefined;
    }, 'B’s run');
    expect(bRuns.every((run) => run.organizationId === b.organization.id)).toBe(true);
    expectError(await jobs(admin, b.organization.id), 'FORBIDDEN');
    expectError(await job(admin, bRuns[0]!.id), 'NOT_FOUND');
    expect(expectNoErrors(await jobs(admin, a.organization.id)).jobs.some((run) => run.id === bRuns[0]!.id)).toBe(false);

    const member = a.members[1]!.token;
    expect(expectError(await jobs(member, a.organization.id), 'FORBIDDEN').extensions?.requiredPermission).toBe('jobs:read');
    const socket = connect(supergraph.gatewayUrl, admin);
    try {
      const [refused] = await socket
        .subscribe('subscription($o: ID!) { jobUpdates(organizationId: $o) { id } }', { o: b.organization.id })
        .drain(1_000);
      expect(refused?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    } finally {
      await socket.dispose();
    }
  });

  it('answers bad input with the field it names', async () => {
    const admin = a.members[0]!.token;
    expect(expectError(await jobs(admin, a.organization.id, {}, 500), 'BAD_USER_INPUT').extensions?.field).toBe('first');
    expect(expectError(await jobs(admin, a.organization.id, { job: 'DROP TABLE' }), 'BAD_USER_INPUT').extensions?.field).toBe('filter.job');
    expectError(await job(admin, 'not-a-run'), 'NOT_FOUND');
  });
});
