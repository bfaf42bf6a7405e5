import { parse } from 'csv-parse/sync';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { createEventBus } from '../../../platform/events';
import { newId } from '../../../platform/ids';
import { createLogger } from '../../../platform/logger';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { testConfig } from '../../../tests/kit/supergraph';
import { analyticsSubgraph } from '..';
import { AiFeature } from './ai-price-list';
import { ReportGrouping, ReportMetric } from './report-catalogue';
import { ReportFormat } from './report-output';
import { ReportPeriod } from './report-period';
import { MAX_WAITING_RUNS, REPORT_RUN_ATTEMPTS, ReportRunStatus } from './report.service';
import type { ReportDefinition } from './report.service';
import { createAnalyticsServices } from '.';
import type { AnalyticsServices } from '.';

let database: TestDatabase;
let dataSource: DataSource;
let services: AnalyticsServices;
const events = createEventBus(undefined, createLogger('silent'));

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(analyticsSubgraph.storage, {
    url: database.url,
    poolMax: 4,
    applicationName: 'report-test',
  }).initialize();
  services = createAnalyticsServices({ dataSource, events, config: testConfig({ DATABASE_URL: database.url }) });
});
afterAll(async () => {
  services?.liveMetrics.close();
  await dataSource?.destroy();
  await database?.drop();
  await events.close();
});

function principal(organizationId = newId('organization')) {
  return { userId: 'user_reporter', organizationId, sessionId: 'jti', expiresAt: new Date(Date.now() + 60_000) };
}

const DAY = 86_400_000;
const today = () => new Date(Math.floor(Date.now() / DAY) * DAY);
const daysAgo = (days: number, hours = 10) => new Date(today().getTime() - days * DAY + hours * 3_600_000);

async function seedCalls(
  caller: ReturnType<typeof principal>,
  calls: { id: string; day: number; codec: string; minutes: number; rtt: number }[],
) {
  await services.calls.recordCalls(
    caller,
    calls.map((c) => ({
      callId: c.id,
      participants: ['user_a'],
      codec: c.codec,
      startedAt: daysAgo(c.day),
      endedAt: new Date(daysAgo(c.day).getTime() + c.minutes * 60_000),
      rttMs: c.rtt,
      jitterMs: 5,
      packetLossPercent: 0.1,
      costMicros: c.minutes * 10_000,
    })),
  );
}

const definition = (overrides: Partial<ReportDefinition> = {}): ReportDefinition => ({
  name: 'Weekly calls',
  metrics: [ReportMetric.CALLS, ReportMetric.MINUTES, ReportMetric.CALL_COST_USD],
  groupBy: ReportGrouping.DAY,
  period: ReportPeriod.LAST_7_DAYS,
  format: ReportFormat.CSV,
  filters: {},
  schedule: null,
  ...overrides,
});

async function runToEnd(caller: ReturnType<typeof principal>, reportId: string, range?: { from: Date; to: Date }) {
  const run = await services.reports.run(caller, reportId, range);
  await services.reports.processQueued({ organizationId: caller.organizationId });
  const done = await services.reports.getRun(caller, run.id);
  const link = services.reports.downloadLink(caller, done);
  const token = link ? new URL(link.url).searchParams.get('token')! : null;
  const output = token ? (await services.reports.openDownload(token)).run.output! : null;
  return { run: done, link, output };
}

describe('custom reports', () => {
  it('computes a daily call report as CSV: every day of the period, only the organization’s own calls', async () => {
    const caller = principal();
    const other = principal();
    await seedCalls(caller, [
      { id: 'a-1', day: 1, codec: 'opus', minutes: 2, rtt: 50 },
      { id: 'a-2', day: 1, codec: 'pcmu', minutes: 3, rtt: 70 },
      { id: 'a-3', day: 3, codec: 'opus', minutes: 1, rtt: 90 },
    ]);
    await seedCalls(other, [{ id: 'b-1', day: 1, codec: 'opus', minutes: 50, rtt: 50 }]);
    const report = await services.reports.create(caller, caller.organizationId, definition());

    const { run, output } = await runToEnd(caller, report.id);
    expect(run).toMatchObject({ status: ReportRunStatus.SUCCEEDED, rowCount: 7, truncated: false, attempts: 1, error: null });
    const rows = parse(output!.toString()) as string[][];
    expect(rows[0]).toEqual(['day', 'calls', 'minutes', 'call_cost_usd']);
    expect(rows).toHaveLength(8);
    const byDay = Object.fromEntries(rows.slice(1).map(([day, ...values]) => [day, values]));
    expect(byDay[daysAgo(1).toISOString().slice(0, 10)]).toEqual(['2', '5', '0.05']);
    expect(byDay[daysAgo(3).toISOString().slice(0, 10)]).toEqual(['1', '1', '0.01']);
    expect(byDay[daysAgo(2).toISOString().slice(0, 10)]).toEqual(['0', '0', '0']);
    // Today is not in "the last 7 days": the period is whole days before today.
    expect(byDay[today().toISOString().slice(0, 10)]).toBeUndefined();
  });

  it('groups AI usage by model as JSON with a filter, over an explicit range', async () => {
    const caller = principal();
    await services.aiUsage.record(caller, [
      { id: 'u-1', feature: AiFeature.AGENTS, model: 'gpt-4o', tokens: 1_000, costMicros: 10_000, occurredAt: daysAgo(2) },
      { id: 'u-2', feature: AiFeature.AGENTS, model: 'gpt-4o-mini', tokens: 4_000, costMicros: 2_000, occurredAt: daysAgo(2) },
      { id: 'u-3', feature: AiFeature.AGENTS, model: 'gpt-4o', tokens: 500, costMicros: 5_000, occurredAt: daysAgo(1) },
      { id: 'u-4', feature: AiFeature.STT, model: 'whisper-1', seconds: 60, costMicros: 6_000, occurredAt: daysAgo(1) },
      { id: 'u-5', feature: AiFeature.AGENTS, model: 'gpt-4o', tokens: 9_999, costMicros: 99_000, occurredAt: daysAgo(9) },
    ]);
    const report = await services.reports.create(
      caller,
      caller.organizationId,
      definition({
        name: 'Agent models',
        metrics: [ReportMetric.AI_REQUESTS, ReportMetric.AI_TOKENS, ReportMetric.AI_COST_USD],
        groupBy: ReportGrouping.MODEL,
        format: ReportFormat.JSON,
        filters: { feature: 'agents' },
      }),
    );
    const { output } = await runToEnd(caller, report.id, { from: daysAgo(5, 0), to: today() });
    const body = JSON.parse(output!.toString());
    expect(body).toMatchObject({
      report: { id: report.id, name: 'Agent models' },
      organizationId: caller.organizationId,
      truncated: false,
    });
    expect(body.rows).toEqual([
      { model: 'gpt-4o', ai_requests: 2, ai_tokens: 1_500, ai_cost_usd: 0.015 },
      { model: 'gpt-4o-mini', ai_requests: 1, ai_tokens: 4_000, ai_cost_usd: 0.002 },
    ]);
  });

  it('renders PDF, turning the page for long tables', async () => {
    const caller = principal();
    await services.aiUsage.record(
      caller,
      Array.from({ length: 120 }, (_, i) => ({
        id: `p-${i}`,
        feature: AiFeature.TTS,
        model: 'tts-1',
        userId: `user_${String(i).padStart(3, '0')}`,
        seconds: 10,
        costMicros: 100,
        occurredAt: daysAgo(1),
      })),
    );
    const report = await services.reports.create(
      caller,
      caller.organizationId,
      definition({
        name: 'Speech by user',
        metrics: [ReportMetric.AI_REQUESTS, ReportMetric.AI_SECONDS],
        groupBy: ReportGrouping.USER,
        format: ReportFormat.PDF,
      }),
    );
    const { run, output } = await runToEnd(caller, report.id);
    expect(run.rowCount).toBe(120);
    const pdf = output!.toString('latin1');
    expect(pdf.startsWith('%PDF-')).toBe(true);
    expect(Number(/\/Type \/Pages\s+\/Count (\d+)/.exec(pdf)![1])).toBeGreaterThan(1);
  });

  it('refuses definitions the catalogue cannot compute, naming the field', async () => {
    const caller = principal();
    const org = caller.organizationId;
    const refused = (overrides: Partial<ReportDefinition>) => services.reports.create(caller, org, definition(overrides));
    await expect(refused({ metrics: [] })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'metrics' } });
    await expect(refused({ groupBy: ReportGrouping.MODEL })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'groupBy' },
    });
    await expect(refused({ metrics: [ReportMetric.CALLS, ReportMetric.AI_REQUESTS], filters: { codec: 'opus' } })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'filters.codec' },
    });
    await expect(refused({ schedule: 'every day' })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'schedule' } });
    await expect(refused({ schedule: '61 * * * *' })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'schedule' } });
    await expect(refused({ schedule: '*/10 * * * *' })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'schedule' },
    });
    await expect(refused({ name: ' ' })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'name' } });
    const report = await refused({});
    await expect(services.reports.run(caller, report.id, { from: today() })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'from' },
    });
    await expect(services.reports.run(caller, report.id, { from: daysAgo(400), to: today() })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'from' },
    });
    expect(await services.reports.list(caller, org)).toHaveLength(1);
  });

  it('keeps other organizations’ reports and runs out of reach', async () => {
    const owner = principal();
    const stranger = principal();
    const report = await services.reports.create(owner, owner.organizationId, definition());
    const run = await services.reports.run(owner, report.id);
    await expect(services.reports.list(stranger, owner.organizationId)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    for (const attempt of [
      () => services.reports.get(stranger, report.id),
      () => services.reports.run(stranger, report.id),
      () => services.reports.update(stranger, report.id, { name: 'Mine now' }),
      () => services.reports.delete(stranger, report.id),
      () => services.reports.getRun(stranger, run.id),
      () => services.reports.runs(stranger, report.id),
    ])
      await expect(attempt()).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect((await services.reports.get(owner, report.id)).name).toBe('Weekly calls');
  });

  it('queues a scheduled report once per tick, and lets only a few runs wait', async () => {
    const caller = principal();
    const created = new Date('2026-12-01T05:30:00Z');
    const report = await services.reports.create(caller, caller.organizationId, definition({ schedule: '0 6 * * *' }), created);
    expect(report.nextRunAt).toEqual(new Date('2026-12-01T06:00:00Z'));
    const before = await services.reports.runs(caller, report.id);

    await services.reports.queueDue(new Date('2026-12-01T05:59:00Z'));
    expect(await services.reports.runs(caller, report.id)).toHaveLength(before.length);
    await services.reports.queueDue(new Date('2026-12-01T06:00:30Z'));
    await services.reports.queueDue(new Date('2026-12-01T06:01:00Z'));
    const runs = await services.reports.runs(caller, report.id);
    expect(runs).toHaveLength(before.length + 1);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', requestedBy: null, status: ReportRunStatus.QUEUED });
    expect(runs[0].periodStart).toEqual(new Date('2026-11-24T00:00:00Z'));
    expect(runs[0].periodEnd).toEqual(new Date('2026-12-01T00:00:00Z'));
    expect((await services.reports.get(caller, report.id)).nextRunAt).toEqual(new Date('2026-12-02T06:00:00Z'));

    const stopped = await services.reports.update(caller, report.id, { schedule: null });
    expect(stopped.nextRunAt).toBeNull();

    for (let i = 1; i < MAX_WAITING_RUNS; i++) await services.reports.run(caller, report.id);
    await expect(services.reports.run(caller, report.id)).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
  });

  it('takes up a run its worker lost, and fails a run whose report can no longer be computed', async () => {
    const caller = principal();
    const report = await services.reports.create(caller, caller.organizationId, definition());
    const lost = await services.reports.run(caller, report.id);
    await dataSource.query(
      `UPDATE analytics.report_runs SET status = 'running', attempts = 1, started_at = now() - interval '20 minutes' WHERE id = $1`,
      [lost.id],
    );
    await services.reports.processQueued({ organizationId: caller.organizationId });
    expect(await services.reports.getRun(caller, lost.id)).toMatchObject({ status: ReportRunStatus.SUCCEEDED, attempts: 2 });

    const broken = await services.reports.run(caller, report.id);
    await dataSource.query(`UPDATE analytics.reports SET group_by = 'model' WHERE id = $1`, [report.id]);
    expect(await services.reports.processQueued({ organizationId: caller.organizationId })).toEqual({
      succeeded: 0,
      failed: 1,
      retrying: 0,
    });
    const failed = await services.reports.getRun(caller, broken.id);
    expect(failed.status).toBe(ReportRunStatus.FAILED);
    expect(failed.error).toMatch(/groupBy: model does not apply to call metrics/);
    expect(failed.attempts).toBeLessThanOrEqual(REPORT_RUN_ATTEMPTS);
    expect(services.reports.downloadLink(caller, failed)).toBeNull();
  });

  it('signs download links that expire and cannot be altered', async () => {
    const caller = principal();
    const report = await services.reports.create(caller, caller.organizationId, definition());
    const { link } = await runToEnd(caller, report.id);
    const token = new URL(link!.url).searchParams.get('token')!;
    expect(link!.url).toContain('/api/v1/analytics/reports/download?token=');
    await expect(services.reports.openDownload(token, new Date(link!.expiresAt.getTime() + 1_000))).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    await expect(services.reports.openDownload(`x${token}`)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await services.reports.delete(caller, report.id);
    await expect(services.reports.openDownload(token)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});
