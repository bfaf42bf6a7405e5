import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { createEventBus } from '../../../platform/events';
import { newId } from '../../../platform/ids';
import { createLogger } from '../../../platform/logger';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { testConfig } from '../../../tests/kit/supergraph';
import { RecordingStatus } from '../entities/recording.entity';
import { analyticsSubgraph } from '..';
import { RecordingService } from './recording.service';
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
    applicationName: 'recordings-test',
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

async function callOf(caller: ReturnType<typeof principal>, callId: string) {
  await services.calls.startCall(caller, { callId, participants: ['user_a'], codec: 'opus', startedAt: new Date(Date.now() - 60_000) });
}

describe('recordings', () => {
  it('adds a recording of a call: pending, listed newest first, found by id', async () => {
    const caller = principal();
    await callOf(caller, 'call-1');
    const first = await services.recordings.add(caller, {
      callId: 'call-1',
      storageUrl: 'https://media.example/a.wav',
      durationSeconds: 61.5,
    });
    const second = await services.recordings.add(caller, {
      callId: 'call-1',
      storageUrl: 'https://media.example/b.wav',
      durationSeconds: 5,
    });
    expect(first).toMatchObject({ status: RecordingStatus.PENDING, transcript: null, summary: null, attempts: 0, durationSeconds: 61.5 });
    expect(first.id).toMatch(/^rec_/);
    expect((await services.recordings.list(caller)).map((row) => row.id)).toEqual([second.id, first.id]);
    expect((await services.recordings.list(caller, { status: RecordingStatus.SUMMARISED })).length).toBe(0);
    expect((await services.recordings.list(caller, { callId: 'call-1' }, 1)).map((row) => row.id)).toEqual([second.id]);
    expect(await services.recordings.find(caller, first.id)).toMatchObject({ id: first.id, storageUrl: 'https://media.example/a.wav' });
  });

  it('refuses bad input, naming the field', async () => {
    const caller = principal();
    await callOf(caller, 'call-2');
    const add = (input: Record<string, unknown>) =>
      services.recordings.add(caller, {
        callId: 'call-2',
        storageUrl: 'https://media.example/x.wav',
        durationSeconds: 1,
        ...input,
      } as never);
    await expect(add({ storageUrl: 'ftp://media.example/x.wav' })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.storageUrl' },
    });
    await expect(add({ storageUrl: 'https://user:secret@media.example/x.wav' })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.storageUrl' },
    });
    await expect(add({ storageUrl: `https://media.example/${'a'.repeat(2100)}` })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.storageUrl' },
    });
    await expect(add({ durationSeconds: -1 })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.durationSeconds' },
    });
    await expect(add({ callId: 'no such call' })).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.callId' } });
    await expect(add({ callId: 'never-started' })).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND', field: 'input.callId' } });
    await expect(services.recordings.list(caller, {}, 101)).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'first' },
    });
    await expect(services.recordings.find(caller, 'not-an-id')).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'id' },
    });
  });

  it('accepts storage only on the configured origins when there are some', async () => {
    const caller = principal();
    await callOf(caller, 'call-3');
    const restricted = new RecordingService(dataSource, ['https://media.example']);
    await expect(
      restricted.add(caller, { callId: 'call-3', storageUrl: 'http://169.254.169.254/latest/meta-data', durationSeconds: 1 }),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.storageUrl' } });
    expect(await restricted.add(caller, { callId: 'call-3', storageUrl: 'https://media.example/c.wav', durationSeconds: 1 })).toMatchObject(
      {
        status: RecordingStatus.PENDING,
      },
    );
  });

  it("keeps organizations apart: another organization's recordings and calls are not there", async () => {
    const a = principal();
    const b = principal();
    await callOf(a, 'shared-call-id');
    const recording = await services.recordings.add(a, {
      callId: 'shared-call-id',
      storageUrl: 'https://media.example/a.wav',
      durationSeconds: 3,
    });
    expect(await services.recordings.find(b, recording.id)).toBeNull();
    expect(await services.recordings.list(b)).toEqual([]);
    expect(await services.recordings.list(b, { callId: 'shared-call-id' })).toEqual([]);
    // B cannot attach a recording to A's call, even knowing its id.
    await expect(
      services.recordings.add(b, { callId: 'shared-call-id', storageUrl: 'https://media.example/b.wav', durationSeconds: 3 }),
    ).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect((await services.recordings.list(a)).map((row) => row.id)).toEqual([recording.id]);
  });
});
