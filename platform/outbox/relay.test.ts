import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../tests/kit/database';
import type { TestDatabase } from '../../tests/kit/database';
import { eventually } from '../../tests/kit/eventually';
import { RecordingTransport } from '../../tests/kit/recording-transport';
import { identitySubgraph } from '../../subgraphs/identity';
import { createDataSource } from '../database';
import { createLogger } from '../logger';
import type { NewEvent } from './event-catalogue';
import { Outbox } from './outbox';
import { OutboxRelay } from './relay';

let database: TestDatabase;
let dataSource: DataSource;
const logger = createLogger('silent');
const outbox = new Outbox();
const relays: OutboxRelay[] = [];

function relay(transport: RecordingTransport, options: { pollMs?: number; batchSize?: number } = {}): OutboxRelay {
  const created = new OutboxRelay('identity', dataSource, transport, logger, { retentionMs: 86_400_000, ...options });
  relays.push(created);
  return created;
}

function added(userId: string): NewEvent {
  return { type: 'identity.member.added', payload: { organizationId: 'org_1', userId, membershipId: `mem_${userId}`, status: 'active' } };
}

async function write(...events: NewEvent[]): Promise<string[]> {
  return dataSource.transaction(async (manager) => {
    const ids: string[] = [];
    for (const event of events) ids.push(await outbox.add(manager, event));
    return ids;
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(identitySubgraph.storage, {
    url: database.url,
    poolMax: 6,
    applicationName: 'relay-spec',
  }).initialize();
});
beforeEach(async () => {
  await dataSource.query('DELETE FROM identity.outbox');
});
afterEach(async () => {
  await Promise.all(relays.splice(0).map((created) => created.stop()));
});
afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

describe('the outbox relay', () => {
  it('publishes committed events in the order they were written, and marks them sent', async () => {
    const ids = await write(added('user_a'), added('user_b'));
    const transport = new RecordingTransport();
    expect(await relay(transport).publishPending()).toBe(2);

    expect(transport.published.map((event) => event.id)).toEqual(ids);
    expect(transport.published[0]).toMatchObject({ type: 'identity.member.added', source: 'identity', payload: { userId: 'user_a' } });
    expect(transport.published[0]!.occurredAt).toBeInstanceOf(Date);
    expect(transport.published[1]!.sequence).toBeGreaterThan(transport.published[0]!.sequence);
    expect(await relay(transport).publishPending()).toBe(0);
  });

  it('never publishes the event of a change that rolled back', async () => {
    await dataSource
      .transaction(async (manager) => {
        await outbox.add(manager, added('user_ghost'));
        throw new Error('the change failed');
      })
      .catch(() => undefined);
    const transport = new RecordingTransport();
    expect(await relay(transport).publishPending()).toBe(0);
  });

  it('refuses an event written outside a transaction', async () => {
    await expect(outbox.add(dataSource.manager, added('user_loose'))).rejects.toThrow(/transaction of the change/);
  });

  it('keeps events when publishing fails, and publishes them on the next try', async () => {
    const [id] = await write(added('user_c'));
    const transport = new RecordingTransport();
    transport.failing = true;
    await expect(relay(transport).publishPending()).rejects.toThrow('transport down');
    transport.failing = false;
    expect(await relay(transport).publishPending()).toBe(1);
    expect(transport.published.map((event) => event.id)).toEqual([id]);
  });

  it('shares the work with other replicas: every event is published once', async () => {
    const ids = await write(...Array.from({ length: 60 }, (_, index) => added(`user_${index}`)));
    const transports = [new RecordingTransport(), new RecordingTransport(), new RecordingTransport()];
    await Promise.all(transports.map((transport) => relay(transport, { batchSize: 7 }).publishPending()));
    const published = transports.flatMap((transport) => transport.published.map((event) => event.id));
    expect(published.sort()).toEqual([...ids].sort());
  });

  it('is woken by a commit, without waiting for its next poll', async () => {
    const transport = new RecordingTransport();
    await relay(transport, { pollMs: 3_600_000 }).start();
    const [id] = await write(added('user_d'));
    await eventually(async () => (transport.published.some((event) => event.id === id) ? true : undefined), 'the event');
  });

  it('answers what it published since a moment, for a process that starts without Redis', async () => {
    const transport = new RecordingTransport();
    const since = new Date(Date.now() - 1_000);
    await write(added('user_e'), {
      type: 'identity.member.removed',
      payload: { organizationId: 'org_1', userId: 'user_e', membershipId: 'mem_e' },
    });
    const publisher = relay(transport);
    expect(await publisher.history(['identity.member.removed'], since)).toEqual([]);
    await publisher.publishPending();
    const history = await publisher.history(['identity.member.removed'], since);
    expect(history.map((event) => event.type)).toEqual(['identity.member.removed']);
  });
});
