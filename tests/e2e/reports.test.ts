import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { expectError, expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

const execute = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

let supergraph: TestSupergraph;
let a: SeededOrganization;
let b: SeededOrganization;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  a = await supergraph.seed.org({ name: 'Reporting A' }).withMember({ role: 'role_member' }).withMember({ role: 'role_guest' }).create();
  b = await supergraph.seed.org({ name: 'Reporting B' }).create();
});
afterAll(async () => {
  await supergraph?.stop();
});

/** The one-shot CLI, as the worker's cron would run it, against the test stack's database. */
async function runReportsJob(organizationId: string) {
  const { stdout } = await execute('npx', ['ts-node', '--transpile-only', 'bin/job.ts', 'analytics.run-reports', '--org', organizationId], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: supergraph.database.url,
      SECRETS_KEY: supergraph.config.secretsKey,
      LOG_LEVEL: 'silent',
      REDIS_URL: '',
    },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { status: string; result: Record<string, number> };
}

const RUN = `query($id: ID!) { reportRun(id: $id) { status rowCount error download { url expiresAt } } }`;

/** The download link, fetched from analytics' own server as its public address would serve it. */
const onAnalytics = (url: string) => new URL(`${new URL(url).pathname}${new URL(url).search}`, supergraph.subgraphUrls.analytics);

describe('custom reports through the gateway', () => {
  it('saves a report, runs it on the job worker, and serves its CSV through a signed link', async () => {
    const owner = a.owner.token;
    const organizationId = a.organization.id;
    const endedAt = new Date(Date.now() - 86_400_000);
    expectNoErrors(
      await supergraph.gateway(
        `mutation($input: [CallRecordInput!]!) { recordCalls(input: $input) { callId } }`,
        {
          input: [
            {
              callId: 'r-1',
              participants: ['x'],
              codec: 'opus',
              startedAt: new Date(endedAt.getTime() - 120_000),
              endedAt,
              rttMs: 40,
              jitterMs: 3,
              packetLossPercent: 0,
            },
            {
              callId: 'r-2',
              participants: ['y'],
              codec: 'g722',
              startedAt: new Date(endedAt.getTime() - 60_000),
              endedAt,
              rttMs: 40,
              jitterMs: 3,
              packetLossPercent: 0,
            },
          ],
        },
        { token: owner },
      ),
    );
    const { createReport } = expectNoErrors(
      await supergraph.gateway<{ createReport: { id: string; nextRunAt: string | null } }, { o: string }>(
        `mutation($o: ID!) { createReport(organizationId: $o, input: {
            name: "Calls by codec", metrics: [CALLS, MINUTES], groupBy: CODEC, period: LAST_7_DAYS, format: CSV, schedule: "0 6 * * 1"
          }) { id nextRunAt } }`,
        { o: organizationId },
        { token: owner },
      ),
    );
    expect(new Date(createReport.nextRunAt!).getUTCDay()).toBe(1);

    const { runReport } = expectNoErrors(
      await supergraph.gateway<{ runReport: { id: string; status: string } }, { id: string }>(
        'mutation($id: ID!) { runReport(id: $id) { id status } }',
        { id: createReport.id },
        { token: owner },
      ),
    );
    expect(runReport.status).toBe('QUEUED');
    const outcome = await runReportsJob(organizationId);
    expect(outcome).toMatchObject({ status: 'completed', result: { succeeded: 1, failed: 0 } });

    const { reportRun } = expectNoErrors(
      await supergraph.gateway<{ reportRun: { status: string; rowCount: number; download: { url: string } | null } }, { id: string }>(
        RUN,
        { id: runReport.id },
        { token: owner },
      ),
    );
    expect(reportRun).toMatchObject({ status: 'SUCCEEDED', rowCount: 2 });
    const response = await fetch(onAnalytics(reportRun.download!.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="Calls-by-codec-\d{4}-\d{2}-\d{2}\.csv"/);
    expect(parse(await response.text())).toEqual([
      ['codec', 'calls', 'minutes'],
      ['g722', '1', '1'],
      ['opus', '1', '2'],
    ]);

    const forged = onAnalytics(reportRun.download!.url);
    forged.searchParams.set('token', `${forged.searchParams.get('token')}x`);
    const refused = await fetch(forged);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('lets members read reports but not change them, and keeps them inside the organization', async () => {
    const member = a.members[0]!;
    const guest = a.members[1]!;
    const { createReport } = expectNoErrors(
      await supergraph.gateway<{ createReport: { id: string } }, { o: string }>(
        'mutation($o: ID!) { createReport(organizationId: $o, input: { name: "AI spend", metrics: [AI_COST_USD], groupBy: DAY, period: LAST_30_DAYS, format: JSON }) { id } }',
        { o: a.organization.id },
        { token: a.owner.token },
      ),
    );
    const { reports } = expectNoErrors(
      await supergraph.gateway<{ reports: { id: string }[] }, { o: string }>(
        'query($o: ID!) { reports(organizationId: $o) { id } }',
        { o: a.organization.id },
        { token: member.token },
      ),
    );
    expect(reports.map((report) => report.id)).toContain(createReport.id);
    expectError(
      await supergraph.gateway('mutation($id: ID!) { runReport(id: $id) { id } }', { id: createReport.id }, { token: member.token }),
      'FORBIDDEN',
    );
    expectError(
      await supergraph.gateway('query($o: ID!) { reports(organizationId: $o) { id } }', { o: a.organization.id }, { token: guest.token }),
      'FORBIDDEN',
    );
    expectError(
      await supergraph.gateway('query($id: ID!) { report(id: $id) { id } }', { id: createReport.id }, { token: b.owner.token }),
      'NOT_FOUND',
    );
    expectError(
      await supergraph.gateway('mutation($id: ID!) { deleteReport(id: $id) }', { id: createReport.id }, { token: b.owner.token }),
      'NOT_FOUND',
    );
    const invalid = expectError(
      await supergraph.gateway(
        'mutation($o: ID!) { createReport(organizationId: $o, input: { name: "Bad", metrics: [CALLS], groupBy: MODEL, period: LAST_7_DAYS, format: PDF }) { id } }',
        { o: a.organization.id },
        { token: a.owner.token },
      ),
      'BAD_USER_INPUT',
    );
    expect(invalid.message).toContain('groupBy');
  });

  it('refuses a link once the person it was given to has left the organization', async () => {
    const member = a.members[0]!;
    const { createReport } = expectNoErrors(
      await supergraph.gateway<{ createReport: { id: string } }, { o: string }>(
        'mutation($o: ID!) { createReport(organizationId: $o, input: { name: "Quality", metrics: [AVERAGE_MOS], period: LAST_7_DAYS, format: PDF }) { id } }',
        { o: a.organization.id },
        { token: a.owner.token },
      ),
    );
    const { runReport } = expectNoErrors(
      await supergraph.gateway<{ runReport: { id: string } }, { id: string }>(
        'mutation($id: ID!) { runReport(id: $id) { id } }',
        { id: createReport.id },
        { token: a.owner.token },
      ),
    );
    await runReportsJob(a.organization.id);
    const { reportRun } = expectNoErrors(
      await supergraph.gateway<{ reportRun: { download: { url: string } } }, { id: string }>(
        RUN,
        { id: runReport.id },
        { token: member.token },
      ),
    );
    const link = onAnalytics(reportRun.download.url);
    const pdf = await fetch(link);
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');

    expectNoErrors(
      await supergraph.gateway(
        'mutation($id: ID!) { removeMember(id: $id) { id } }',
        { id: member.membership.id },
        { token: a.owner.token },
      ),
    );
    await eventually(async () => ((await fetch(link)).status === 403 ? true : undefined), 'the link of a removed member to be refused');
  });
});
