import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AccessControl } from '../../../platform/authorization/access-control';
import { loadConfig } from '../../../platform/config';
import { createDataSource } from '../../../platform/database';
import { InProcessEntitlementCounter } from '../../../platform/entitlements/entitlement-counter';
import { createEventBus } from '../../../platform/events';
import { newId } from '../../../platform/ids';
import type { JobDefinition } from '../../../platform/jobs/job-definition';
import { ProgressStore, executeJob } from '../../../platform/jobs/runner';
import { createLogger } from '../../../platform/logger';
import { applyOnce } from '../../../platform/outbox/consumer';
import type { AnyEvent } from '../../../platform/outbox/event-catalogue';
import { OutboxMessage } from '../../../platform/outbox/outbox-message.entity';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { startOpenAiCompatibleServer } from '../../../tests/kit/openai-compatible-server';
import type { OpenAiCompatibleServer } from '../../../tests/kit/openai-compatible-server';
import { billingSubgraph, createBillingServices, usageReportedConsumer } from '../../billing';
import { AiUsageEvent } from '../entities/ai-usage-event.entity';
import { Recording, RecordingStatus } from '../entities/recording.entity';
import { createAnalyticsServices } from '../services';
import type { AnalyticsServices } from '../services';
import { analyticsSubgraph } from '..';
import { analyseRecordingsJob } from './analyse-recordings.job';
import { summariseRecordingsJob } from './summarise-recordings.job';
import { transcribeRecordingsJob } from './transcribe-recordings.job';

const KEY = 'sk-recordings-test';
const logger = createLogger('silent');
const events = createEventBus(undefined, logger);
let database: TestDatabase;
let dataSource: DataSource;
let billingDataSource: DataSource;
let server: OpenAiCompatibleServer;
let withProvider: AnalyticsServices;
let withoutProvider: AnalyticsServices;
let progress: ProgressStore;

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(analyticsSubgraph.storage, {
    url: database.url,
    poolMax: 6,
    applicationName: 'recording-jobs-test',
  }).initialize();
  billingDataSource = await createDataSource(billingSubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'recording-jobs-billing',
  }).initialize();
  server = await startOpenAiCompatibleServer({ apiKey: KEY });
  const config = loadConfig({ AI_API_URL: server.url, AI_API_KEY: KEY, AI_MAX_RETRIES: '1', AI_TIMEOUT_SECONDS: '10' });
  withProvider = createAnalyticsServices({ dataSource, events, config });
  withoutProvider = createAnalyticsServices({ dataSource, events, config: loadConfig({}) });
  progress = new ProgressStore(
    (sql, values) => dataSource.query(sql, values).then((rows: unknown) => ({ rows: rows as unknown[] })),
    'pgboss',
  );
  await progress.ensureTable();
});
afterAll(async () => {
  withProvider?.liveMetrics.close();
  withoutProvider?.liveMetrics.close();
  await server?.close();
  await billingDataSource?.destroy();
  await dataSource?.destroy();
  await database?.drop();
  await events.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

function principal(organizationId = newId('organization')) {
  return { userId: 'user_test', organizationId, sessionId: 'jti', expiresAt: new Date(Date.now() + 60_000) };
}

/** A run of the job as the worker and `npm run job -- <name> --org <id>` make it. */
function run(job: JobDefinition<AnalyticsServices>, services: AnalyticsServices, organizationId: string) {
  return executeJob({ definition: job, services }, { id: randomUUID(), payload: { organizationId }, logger, progress });
}

/** An organization with a call (ended unless told otherwise) and recordings of it, whose audio the local server stores. */
async function organizationWithRecordings(count: number, options: { ended?: boolean; audio?: boolean } = {}) {
  const caller = principal();
  const startedAt = new Date(Date.now() - 10 * 60_000);
  if (options.ended === false) {
    await withProvider.calls.startCall(caller, { callId: 'call-1', participants: ['user_a'], codec: 'opus', startedAt });
  } else {
    await withProvider.calls.recordCalls(caller, [
      {
        callId: 'call-1',
        participants: ['user_a', 'user_b'],
        codec: 'opus',
        startedAt,
        endedAt: new Date(startedAt.getTime() + 90_000),
        rttMs: 80,
        jitterMs: 5,
        packetLossPercent: 0.5,
      },
    ]);
  }
  const recordings: Recording[] = [];
  for (let index = 0; index < count; index += 1) {
    const name = `${caller.organizationId}-${index}.wav`;
    const storageUrl =
      options.audio === false ? `${server.url}/audio/missing-${name}` : server.storeAudio(name, new Uint8Array(100 + index));
    recordings.push(await withProvider.recordings.add(caller, { callId: 'call-1', storageUrl, durationSeconds: 30 + index }));
  }
  return { caller, organizationId: caller.organizationId, recordings };
}

async function stored(organizationId: string): Promise<Recording[]> {
  return dataSource.getRepository(Recording).find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
}

async function usageFactsOf(organizationId: string) {
  const rows = await dataSource.getRepository(OutboxMessage).find({ where: { type: 'usage.reported' }, order: { sequence: 'ASC' } });
  return rows.filter((row) => (row.payload as { organizationId: string }).organizationId === organizationId);
}

describe('the recording jobs', () => {
  it('say so and leave recordings pending when no provider is configured', async () => {
    const { organizationId } = await organizationWithRecordings(2);
    expect(await run(transcribeRecordingsJob, withoutProvider, organizationId)).toEqual({
      provider: 'none',
      message: 'No AI provider is configured (AI_API_URL): 2 recording(s) left as they are, none transcribed',
      transcribed: 0,
      waiting: 2,
    });
    expect(await run(summariseRecordingsJob, withoutProvider, organizationId)).toMatchObject({ provider: 'none', summarised: 0 });
    expect((await stored(organizationId)).map((row) => row.status)).toEqual([RecordingStatus.PENDING, RecordingStatus.PENDING]);
    expect(server.requests).toEqual([]);
    expect(await usageFactsOf(organizationId)).toHaveLength(1); // the call's minutes only
  });

  it('take recordings from pending to transcribed to summarised, analyse their call, and report each AI use to billing once', async () => {
    const { organizationId, recordings } = await organizationWithRecordings(3);
    const other = await organizationWithRecordings(1);

    expect(await run(transcribeRecordingsJob, withProvider, organizationId)).toEqual({
      transcribed: 3,
      retryLater: 0,
      failed: 0,
      released: 0,
      waiting: 0,
    });
    let rows = await stored(organizationId);
    expect(rows.map((row) => row.status)).toEqual([RecordingStatus.TRANSCRIBED, RecordingStatus.TRANSCRIBED, RecordingStatus.TRANSCRIBED]);
    expect(rows[0].transcript).toBe(`Transcript of ${organizationId}-0.wav, 100 bytes. Hello, this is a test call.`);
    expect(rows.every((row) => row.transcribedAt && row.claimedAt === null && row.attempts === 0)).toBe(true);
    // The run was limited to its organization: the other one's recording still waits.
    expect((await stored(other.organizationId))[0].status).toBe(RecordingStatus.PENDING);
    expect(server.requests.filter((request) => request.path === '/v1/audio/transcriptions')).toHaveLength(3);

    expect(await run(analyseRecordingsJob, withProvider, organizationId)).toEqual({ analysed: 3, waiting: 0 });
    const call = await withProvider.calls.find(principal(organizationId), 'call-1');
    rows = await stored(organizationId);
    expect(rows[0]).toMatchObject({ mos: call!.mos, rFactor: call!.rFactor, quality: call!.quality, degraded: false });

    expect(await run(summariseRecordingsJob, withProvider, organizationId)).toEqual({
      summarised: 3,
      retryLater: 0,
      failed: 0,
      released: 0,
      waiting: 0,
    });
    rows = await stored(organizationId);
    expect(rows.map((row) => row.status)).toEqual([RecordingStatus.SUMMARISED, RecordingStatus.SUMMARISED, RecordingStatus.SUMMARISED]);
    expect(rows[0].summary).toBe('Summary: Transcript of ' + `${organizationId}-0.wav, 100 bytes. Hello,`);
    const chat = server.requests.find((request) => request.path === '/v1/chat/completions')!;
    expect(chat.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system' }, { role: 'user', content: rows[0].transcript }],
    });

    // A second round finds nothing to do and reports nothing again.
    expect(await run(transcribeRecordingsJob, withProvider, organizationId)).toMatchObject({ transcribed: 0 });
    expect(await run(summariseRecordingsJob, withProvider, organizationId)).toMatchObject({ summarised: 0 });

    const usage = await dataSource.getRepository(AiUsageEvent).find({ where: { organizationId }, order: { id: 'ASC' } });
    expect(usage.map((event) => [event.id, event.feature, event.model, event.seconds, event.callId])).toEqual(
      recordings
        .flatMap((recording) => [
          [`recording:${recording.id}:summary`, 'agents', 'gpt-4o-mini', null, 'call-1'],
          [`recording:${recording.id}:transcription`, 'stt', 'whisper-1', recording.durationSeconds, 'call-1'],
        ])
        .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
    );
    expect(usage.filter((event) => event.feature === 'agents').every((event) => (event.tokens ?? 0) > 12)).toBe(true);

    // The facts reach billing's consumer, which counts six AI calls: ai_stt and ai_agents, once each however often delivered.
    const facts = await usageFactsOf(organizationId);
    const aiFacts = facts.filter((row) => (row.payload as { metric: string }).metric !== 'call_minutes');
    expect(aiFacts.map((row) => (row.payload as { metric: string }).metric).sort()).toEqual([
      'ai_agents',
      'ai_agents',
      'ai_agents',
      'ai_stt',
      'ai_stt',
      'ai_stt',
    ]);
    const billing = createBillingServices({
      dataSource: billingDataSource,
      access: { entitlements: new InProcessEntitlementCounter() } as unknown as AccessControl,
    });
    const consumer = usageReportedConsumer(billing);
    for (const row of aiFacts) {
      const event = {
        id: row.id,
        type: row.type,
        source: 'analytics',
        sequence: Number(row.sequence),
        occurredAt: row.occurredAt,
        payload: row.payload,
      } as AnyEvent;
      expect(await applyOnce(billingDataSource, consumer, event)).toBe('applied');
      expect(await applyOnce(billingDataSource, consumer, event)).toBe('duplicate');
    }
    const counted = (await billingDataSource.query(
      `SELECT metric::text AS metric, sum(quantity)::int AS quantity FROM billing.usage_records WHERE organization_id = $1 GROUP BY 1 ORDER BY 1`,
      [organizationId],
    )) as { metric: string; quantity: number }[];
    expect(counted).toEqual([
      { metric: 'ai_agents', quantity: 3 },
      { metric: 'ai_stt', quantity: 3 },
    ]);
  });

  it('take at most 50 recordings a run', async () => {
    const { organizationId } = await organizationWithRecordings(51);
    expect(await run(transcribeRecordingsJob, withProvider, organizationId)).toMatchObject({ transcribed: 50, waiting: 1 });
    expect(await run(analyseRecordingsJob, withProvider, organizationId)).toEqual({ analysed: 50, waiting: 1 });
    expect(await run(transcribeRecordingsJob, withProvider, organizationId)).toMatchObject({ transcribed: 1, waiting: 0 });
  });

  it('analyse a recording only once its call has ended', async () => {
    const { organizationId, caller } = await organizationWithRecordings(1, { ended: false });
    expect(await run(analyseRecordingsJob, withProvider, organizationId)).toEqual({ analysed: 0, waiting: 1 });
    await withProvider.calls.endCall(caller, { callId: 'call-1', rttMs: 600, jitterMs: 60, packetLossPercent: 8 });
    expect(await run(analyseRecordingsJob, withProvider, organizationId)).toEqual({ analysed: 1, waiting: 0 });
    expect((await stored(organizationId))[0]).toMatchObject({ degraded: true, analysedAt: expect.any(Date) });
  });

  it('fail a recording whose audio is gone, and one the provider rejects, naming why', async () => {
    const missing = await organizationWithRecordings(1, { audio: false });
    expect(await run(transcribeRecordingsJob, withProvider, missing.organizationId)).toMatchObject({ transcribed: 0, failed: 1 });
    const [gone] = await stored(missing.organizationId);
    expect(gone.status).toBe(RecordingStatus.FAILED);
    expect(gone.lastError).toBe(`transcription: audio at ${server.url}/audio/missing-${missing.organizationId}-0.wav answered 404`);

    const rejected = await organizationWithRecordings(1);
    server.script('/v1/audio/transcriptions', {
      status: 400,
      body: { error: { message: 'Audio file might be corrupted or unsupported', type: 'invalid_request_error', code: null } },
    });
    expect(await run(transcribeRecordingsJob, withProvider, rejected.organizationId)).toMatchObject({ failed: 1 });
    expect((await stored(rejected.organizationId))[0]).toMatchObject({
      status: RecordingStatus.FAILED,
      lastError:
        'transcription: AI provider: POST /v1/audio/transcriptions answered 400 Bad Request: Audio file might be corrupted or unsupported',
    });
  });

  it('try a recording again on a later run while the provider is down, and fail it after three attempts', async () => {
    const { organizationId } = await organizationWithRecordings(1);
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      // The client tries twice within a run (AI_MAX_RETRIES=1); both answers are 503.
      server.script('/v1/audio/transcriptions', { status: 503 }, { status: 503 });
      const result = await run(transcribeRecordingsJob, withProvider, organizationId);
      const [row] = await stored(organizationId);
      expect(row.attempts).toBe(attempt);
      if (attempt < 3) {
        expect(result).toMatchObject({ retryLater: 1, failed: 0, waiting: 1 });
        expect(row.status).toBe(RecordingStatus.PENDING);
      } else {
        expect(result).toMatchObject({ retryLater: 0, failed: 1, waiting: 0 });
        expect(row.status).toBe(RecordingStatus.FAILED);
      }
      expect(row.lastError).toBe(
        'transcription: AI provider: POST /v1/audio/transcriptions answered 503 Service Unavailable: Scripted failure (after 2 tries)',
      );
    }
    expect(await dataSource.getRepository(AiUsageEvent).countBy({ organizationId })).toBe(0);
  });

  it('stop the batch on a long rate limit and leave the rest pending without spending their attempts', async () => {
    const { organizationId } = await organizationWithRecordings(8);
    server.script('/v1/audio/transcriptions', {
      status: 429,
      headers: { 'retry-after': '600' },
      body: { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } },
    });
    const result = await run(transcribeRecordingsJob, withProvider, organizationId);
    expect(result).toMatchObject({ rateLimited: true, retryAfterSeconds: 600, failed: 0, retryLater: 0 });
    const rows = await stored(organizationId);
    const transcribed = rows.filter((row) => row.status === RecordingStatus.TRANSCRIBED).length;
    // The ones already sent when the 429 came (at most 5 at once) finish; the rest wait, none failed or held.
    expect(result.transcribed).toBe(transcribed);
    expect(transcribed).toBeLessThan(8);
    expect(rows.filter((row) => row.status === RecordingStatus.PENDING)).toHaveLength(8 - transcribed);
    expect(rows.every((row) => row.attempts === 0 && row.claimedAt === null)).toBe(true);
    expect(rows.find((row) => row.status === RecordingStatus.PENDING && row.lastError)?.lastError).toContain('(retry after 600 s)');

    expect(await run(transcribeRecordingsJob, withProvider, organizationId)).toMatchObject({ transcribed: 8 - transcribed, waiting: 0 });
  });

  it('fail the run on a wrong key, leaving every recording pending', async () => {
    const { organizationId } = await organizationWithRecordings(2);
    const wrongKey = createAnalyticsServices({
      dataSource,
      events,
      config: loadConfig({ AI_API_URL: server.url, AI_API_KEY: 'sk-wrong', AI_MAX_RETRIES: '0' }),
    });
    try {
      await expect(run(transcribeRecordingsJob, wrongKey, organizationId)).rejects.toThrow(
        'transcription stopped: AI provider: POST /v1/audio/transcriptions answered 401 Unauthorized: Incorrect API key provided: sk-***.',
      );
    } finally {
      wrongKey.liveMetrics.close();
    }
    const rows = await stored(organizationId);
    expect(rows.map((row) => [row.status, row.attempts, row.claimedAt])).toEqual([
      [RecordingStatus.PENDING, 0, null],
      [RecordingStatus.PENDING, 0, null],
    ]);
  });

  it('take over recordings a run that died left claimed, once the claim is stale', async () => {
    const { organizationId, recordings } = await organizationWithRecordings(1);
    await dataSource
      .getRepository(Recording)
      .update({ id: recordings[0].id }, { status: RecordingStatus.TRANSCRIBING, claimedAt: new Date(Date.now() - 60_000) });
    // Claimed a minute ago: still someone's.
    expect(await run(transcribeRecordingsJob, withProvider, organizationId)).toMatchObject({ transcribed: 0 });
    await dataSource.getRepository(Recording).update({ id: recordings[0].id }, { claimedAt: new Date(Date.now() - 3 * 3_600_000) });
    expect(await run(transcribeRecordingsJob, withProvider, organizationId)).toMatchObject({ transcribed: 1 });
    expect((await stored(organizationId))[0].status).toBe(RecordingStatus.TRANSCRIBED);
  });
});
