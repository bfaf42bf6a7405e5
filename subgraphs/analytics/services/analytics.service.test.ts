import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { createEventBus } from '../../../platform/events';
import { newId } from '../../../platform/ids';
import { createLogger } from '../../../platform/logger';
import { applyOnce } from '../../../platform/outbox/consumer';
import type { AnyEvent } from '../../../platform/outbox/event-catalogue';
import { OutboxMessage } from '../../../platform/outbox/outbox-message.entity';
import { createTestDatabase } from '../../../tests/kit/database';
import { testConfig } from '../../../tests/kit/supergraph';
import type { TestDatabase } from '../../../tests/kit/database';
import { billingPlanConsumer } from '../consumers/billing-plan.consumer';
import { analyticsSubgraph } from '..';
import { AiFeature } from './ai-price-list';
import { AiUsageGrouping } from './ai-usage.service';
import { InsightKind, InsightStatus } from './cost-insight.service';
import { AnalyticsPeriod } from './organization-analytics.service';
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
    applicationName: 'analytics-test',
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
  return { userId: 'user_test', organizationId, sessionId: 'jti', expiresAt: new Date(Date.now() + 60_000) };
}

async function factsOf(organizationId: string) {
  const rows = await dataSource.getRepository(OutboxMessage).find({ order: { sequence: 'ASC' } });
  return rows
    .map((row) => ({ type: row.type, payload: row.payload as Record<string, unknown> }))
    .filter((row) => row.payload.organizationId === organizationId);
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);

function call(callId: string, overrides: Record<string, unknown> = {}) {
  return {
    callId,
    participants: ['user_a', 'user_b'],
    codec: 'opus',
    startedAt: minutesAgo(10),
    endedAt: minutesAgo(7.5),
    rttMs: 60,
    jitterMs: 4,
    packetLossPercent: 0.2,
    speakingSeconds: 120,
    costMicros: 1_500,
    ...overrides,
  };
}

describe('call ingestion', () => {
  it('starts and ends a call: live figures follow, quality is computed and the minutes go to billing once', async () => {
    const caller = principal();
    const org = caller.organizationId;
    const started = await services.calls.startCall(caller, { callId: 'c-1', participants: ['user_b', 'user_a', 'user_a'], codec: 'OPUS' });
    expect(started).toMatchObject({ participants: ['user_a', 'user_b'], codec: 'opus', endedAt: null, mos: null });
    expect((await services.liveMetrics.current(org)).activeCalls).toBe(1);
    expect((await services.liveMetrics.current(org)).callsPerMinute).toBe(1);
    // A retry of the start changes nothing.
    await services.calls.startCall(caller, { callId: 'c-1', participants: ['user_a', 'user_b'], codec: 'opus' });
    expect((await services.liveMetrics.current(org)).activeCalls).toBe(1);

    const endedAt = new Date(started.startedAt.getTime() + 61_000);
    const ended = await services.calls.endCall(caller, { callId: 'c-1', endedAt, rttMs: 800, jitterMs: 40, packetLossPercent: 5 });
    expect(ended).toMatchObject({ billedMinutes: 2, degraded: true });
    expect(ended.mos).toBeLessThan(3.5);
    const live = await services.liveMetrics.current(org);
    expect(live.activeCalls).toBe(0);
    expect(live.averageMos).toBeCloseTo(ended.mos!, 6);

    await services.calls.endCall(caller, { callId: 'c-1', endedAt, rttMs: 800, jitterMs: 40, packetLossPercent: 5 });
    await expect(
      services.calls.endCall(caller, { callId: 'c-1', endedAt, rttMs: 801, jitterMs: 40, packetLossPercent: 5 }),
    ).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', field: 'input.callId' },
    });
    await expect(services.calls.startCall(caller, { callId: 'c-1', participants: ['user_c'], codec: 'opus' })).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    await expect(services.calls.endCall(caller, { callId: 'never', rttMs: 1, jitterMs: 1, packetLossPercent: 0 })).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
    expect(await factsOf(org)).toEqual([
      {
        type: 'usage.reported',
        payload: {
          organizationId: org,
          metric: 'call_minutes',
          quantity: 2,
          occurredAt: endedAt.toISOString(),
          idempotencyKey: 'analytics:call:c-1',
        },
      },
    ]);
  });

  it('records whole calls in a batch, idempotent by id; one conflict refuses the batch', async () => {
    const caller = principal();
    const batch = [call('b-1'), call('b-2', { codec: 'pcmu' })];
    const first = await services.calls.recordCalls(caller, batch);
    expect(first.map((row) => row.billedMinutes)).toEqual([3, 3]);
    await services.calls.recordCalls(caller, batch);
    expect((await factsOf(caller.organizationId)).length).toBe(2);
    await expect(services.calls.recordCalls(caller, [call('b-3'), call('b-1', { rttMs: 61 })])).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', field: 'input.1.callId' },
    });
    expect(await services.calls.find(caller, 'b-3')).toBeNull();
    await expect(services.calls.recordCalls(caller, [call('x', { packetLossPercent: 101 })])).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.packetLossPercent' },
    });
    await expect(services.calls.recordCalls(caller, [call('x', { endedAt: minutesAgo(20) })])).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.endedAt' },
    });
  });
});

describe('AI usage', () => {
  it('is idempotent by id, reports one AI call per event to billing, and is priced by the job when sent without a cost', async () => {
    const caller = principal();
    const org = caller.organizationId;
    const input = { id: 'ai-1', feature: AiFeature.STT, model: 'whisper-1', seconds: 30, occurredAt: minutesAgo(0.3), userId: 'user_a' };
    const [row] = await services.aiUsage.record(caller, [input]);
    expect(row.costMicros).toBeNull();
    await services.aiUsage.record(caller, [input]);
    await expect(services.aiUsage.record(caller, [{ ...input, seconds: 31 }])).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    await services.aiUsage.record(caller, [
      { id: 'ai-2', feature: AiFeature.AGENTS, model: 'gpt-4o', tokens: 2_000, costMicros: 20_000, occurredAt: minutesAgo(0.3) },
    ]);
    expect((await factsOf(org)).map((fact) => [fact.payload.metric, fact.payload.quantity, fact.payload.idempotencyKey])).toEqual([
      ['ai_stt', 1, 'analytics:ai:ai-1'],
      ['ai_agents', 1, 'analytics:ai:ai-2'],
    ]);
    expect((await services.liveMetrics.current(org)).aiCallsPerMinute).toBe(2);
    expect(await services.aiUsage.priceUnpriced({ organizationId: org })).toEqual({ priced: 1, unpriceable: 0 });
    const report = await services.aiUsage.report(caller, org, {}, AiUsageGrouping.MODEL);
    expect(report.groups.map((group) => [group.key, group.costMicros])).toEqual([
      ['agents/gpt-4o', 20_000n],
      ['stt/whisper-1', 3_000n],
    ]);
    expect(report.totalCostMicros).toBe(23_000n);
  });
});

describe('organization analytics through the views', () => {
  it('counts only the organization’s own calls, once the views are refreshed', async () => {
    const a = principal();
    const b = principal();
    await services.calls.recordCalls(a, [
      call('a-1', { participants: ['user_1', 'user_2'] }),
      call('a-2', { participants: ['user_2'], costMicros: 500 }),
    ]);
    await services.calls.recordCalls(b, [call('b-1', { participants: ['user_9'], costMicros: 999_999_000 })]);
    await services.aiUsage.record(a, [
      {
        id: 'a-ai',
        feature: AiFeature.TTS,
        model: 'tts-1',
        tokens: 1_000,
        costMicros: 15_000,
        occurredAt: minutesAgo(3),
        userId: 'user_3',
      },
    ]);
    await services.organizationAnalytics.refreshViews();

    const ofA = await services.organizationAnalytics.forOrganization(a, a.organizationId, AnalyticsPeriod.MONTHLY);
    expect(ofA.overview).toMatchObject({
      totalUsers: 3,
      activeUsers: 3,
      totalCalls: 2,
      totalMinutes: 6,
      callCostMicros: 2_000n,
      totalCostMicros: 17_000n,
    });
    expect(ofA.aiUsage).toMatchObject({ totalCostMicros: 15_000n, byFeature: { stt: 0, tts: 1, agents: 0 } });
    const daily = await services.organizationAnalytics.forOrganization(a, a.organizationId, AnalyticsPeriod.DAILY, minutesAgo(10));
    expect(daily.overview.totalCalls).toBe(2);
    const ofB = await services.organizationAnalytics.forOrganization(b, b.organizationId, AnalyticsPeriod.MONTHLY);
    expect(ofB.overview).toMatchObject({ totalCalls: 1, totalUsers: 1, callCostMicros: 999_999_000n });

    await expect(services.organizationAnalytics.forOrganization(a, b.organizationId, AnalyticsPeriod.MONTHLY)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    const report = await services.organizationAnalytics.costReport(
      a,
      a.organizationId,
      minutesAgo(60 * 24 * 30),
      new Date(Date.now() + 86_400_000),
    );
    expect(report.reduce((sum, day) => sum + day.totalCostMicros, 0n)).toBe(17_000n);
  });

  it('gives quality percentiles and bands of the organization’s calls only', async () => {
    const a = principal();
    const b = principal();
    await services.calls.recordCalls(a, [
      call('q-1', { rttMs: 20 }),
      call('q-2', { rttMs: 40 }),
      call('q-3', { rttMs: 900, jitterMs: 60, packetLossPercent: 10 }),
    ]);
    await services.calls.recordCalls(b, [call('q-1', { rttMs: 5_000 })]);
    const report = await services.callQuality.report(a, a.organizationId, {});
    expect(report).toMatchObject({ calls: 3, degradedCalls: 1, rttMs: { p50: 40 } });
    expect(report.rttMs.p95).toBeCloseTo(814, 0);
    expect(report.bands.map((band) => band.calls).reduce((x, y) => x + y)).toBe(3);
    expect(report.bands[0].band).toBe('best');
  });
});

describe('cost insights', () => {
  it('proposes a cheaper plan, a cheaper model and ending silent calls; keeps what the user dismissed', async () => {
    const caller = principal();
    const org = caller.organizationId;
    const planFact = {
      id: newId('event'),
      type: 'billing.subscription.created',
      source: 'billing',
      sequence: 10,
      occurredAt: new Date(),
      payload: { organizationId: org, subscriptionId: 'sub_x', planCode: 'enterprise', status: 'active', trialEnd: null },
    } as AnyEvent;
    await applyOnce(dataSource, billingPlanConsumer(), planFact);
    // An older fact delivered late changes nothing.
    await applyOnce(dataSource, billingPlanConsumer(), {
      ...planFact,
      id: newId('event'),
      sequence: 3,
      payload: { ...planFact.payload, planCode: 'free' },
    } as AnyEvent);
    await services.calls.recordCalls(caller, [call('s-1', { speakingSeconds: 0, costMicros: 7_000 }), call('s-2')]);
    await services.aiUsage.record(caller, [
      { id: 'm-1', feature: AiFeature.AGENTS, model: 'gpt-4o', tokens: 500_000, costMicros: 5_000_000, occurredAt: minutesAgo(5) },
    ]);
    await services.costInsights.generate({ organizationId: org });
    const insights = await services.costInsights.list(caller, org);
    const byKind = Object.fromEntries(insights.map((insight) => [insight.kind, insight]));
    // Enterprise $499 against Free's $0 for 6 minutes and one AI call.
    expect(byKind[InsightKind.PLAN_RIGHT_SIZING].estimatedMonthlySavingsMicros).toBe('499000000');
    // gpt-4o-mini: 500k tokens × 600 µ$/1k = 300,000 µ$.
    expect(byKind[InsightKind.CHEAPER_MODEL].estimatedMonthlySavingsMicros).toBe('4700000');
    expect(byKind[InsightKind.SILENT_CALLS].estimatedMonthlySavingsMicros).toBe('7000');

    await services.costInsights.setStatus(caller, byKind[InsightKind.CHEAPER_MODEL].id, InsightStatus.DISMISSED);
    await services.costInsights.generate({ organizationId: org });
    const again = await services.costInsights.list(caller, org);
    expect(again.find((insight) => insight.kind === InsightKind.CHEAPER_MODEL)?.status).toBe('dismissed');
    expect(again.length).toBe(3);
    await expect(
      services.costInsights.setStatus(principal(), byKind[InsightKind.SILENT_CALLS].id, InsightStatus.APPLIED),
    ).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
  });
});
