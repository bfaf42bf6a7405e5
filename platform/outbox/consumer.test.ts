import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../tests/kit/database';
import type { TestDatabase } from '../../tests/kit/database';
import { eventually } from '../../tests/kit/eventually';
import { deleteRedisKeys } from '../../tests/kit/redis';
import { TEST_REDIS_URL } from '../../tests/kit/supergraph';
import { authzSubgraph } from '../../subgraphs/authz';
import { createDataSource } from '../database';
import { createLogger } from '../logger';
import { applyBatchOnce, applyOnce } from './consumer';
import type { EventConsumer } from './consumer';
import type { AnyEvent } from './event-catalogue';
import { Messaging } from './messaging';
import { RedisStreamTransport } from './redis-stream-transport';

let database: TestDatabase;
let dataSource: DataSource;

/** A consumer whose effect is a row in a scratch table, so the spec can count how often it took effect. */
function consumer(name: string, fail?: () => boolean): EventConsumer & { committed: string[] } {
  const committed: string[] = [];
  return {
    name,
    handles: ['identity.member.added'],
    committed,
    apply: async (event, manager) => {
      await manager.query('INSERT INTO consumer_spec_effects (event_id) VALUES ($1)', [event.id]);
      if (fail?.()) throw new Error('the effect failed');
    },
    afterCommit: async (event) => {
      committed.push(event.id);
    },
  };
}

function event(id: string): AnyEvent {
  return {
    id,
    type: 'identity.member.added',
    source: 'identity',
    sequence: 1,
    occurredAt: new Date(),
    payload: { organizationId: 'org_1', userId: 'user_1', membershipId: 'mem_1', status: 'active' },
  };
}

/** Like `consumer`, applying a delivery in one statement; an event whose id starts with `bad` makes its transaction fail. */
function batchConsumer(name: string, gate?: Promise<void>): EventConsumer & { committed: string[]; batches: number[] } {
  const base = consumer(name);
  const batches: number[] = [];
  const write = async (events: readonly AnyEvent[], manager: Parameters<EventConsumer['apply']>[1]) => {
    batches.push(events.length);
    await manager.query('INSERT INTO consumer_spec_effects (event_id) SELECT unnest($1::text[])', [events.map((e) => e.id)]);
    // Written, not yet committed.
    await gate;
    if (events.some((e) => e.id.startsWith('bad'))) throw new Error('the effect failed');
  };
  return { ...base, batches, apply: (event, manager) => write([event], manager), applyBatch: write };
}

async function effects(id: string): Promise<number> {
  const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM consumer_spec_effects WHERE event_id = $1', [id]);
  return count as number;
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(authzSubgraph.storage, {
    url: database.url,
    poolMax: 4,
    applicationName: 'consumer-spec',
  }).initialize();
  await dataSource.query('CREATE TABLE consumer_spec_effects (event_id text NOT NULL)');
});
afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

describe('applying an event once', () => {
  it('applies a new event, and skips it when it is delivered again', async () => {
    const once = consumer('spec.once');
    expect(await applyOnce(dataSource, once, event('evt_a'))).toBe('applied');
    expect(await applyOnce(dataSource, once, event('evt_a'))).toBe('duplicate');
    expect(await effects('evt_a')).toBe(1);
    expect(once.committed).toEqual(['evt_a']);
  });

  it('applies it once when two processes get it at the same moment', async () => {
    const once = consumer('spec.race');
    const outcomes = await Promise.all([1, 2, 3].map(() => applyOnce(dataSource, once, event('evt_b'))));
    expect(outcomes.sort()).toEqual(['applied', 'duplicate', 'duplicate']);
    expect(await effects('evt_b')).toBe(1);
  });

  it('records nothing when the effect fails, so the next delivery applies it', async () => {
    let failures = 1;
    const flaky = consumer('spec.flaky', () => failures-- > 0);
    await expect(applyOnce(dataSource, flaky, event('evt_c'))).rejects.toThrow('the effect failed');
    expect(await effects('evt_c')).toBe(0);
    expect(await applyOnce(dataSource, flaky, event('evt_c'))).toBe('applied');
    expect(await effects('evt_c')).toBe(1);
  });

  it('keeps consumers apart: each applies the same event once', async () => {
    expect(await applyOnce(dataSource, consumer('spec.first'), event('evt_d'))).toBe('applied');
    expect(await applyOnce(dataSource, consumer('spec.second'), event('evt_d'))).toBe('applied');
    expect(await effects('evt_d')).toBe(2);
  });
});

describe('applying a delivery of several events', () => {
  it('applies the new ones in one transaction and skips those applied before or given twice', async () => {
    const batch = batchConsumer('spec.batch');
    expect(await applyOnce(dataSource, batch, event('evt_b1'))).toBe('applied');
    const outcomes = await applyBatchOnce(dataSource, batch, [event('evt_b1'), event('evt_b2'), event('evt_b3'), event('evt_b2')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['duplicate', 'applied', 'applied', 'duplicate']);
    expect(batch.batches).toEqual([1, 2]);
    for (const id of ['evt_b1', 'evt_b2', 'evt_b3']) expect(await effects(id)).toBe(1);
    expect(batch.committed).toEqual(['evt_b1', 'evt_b2', 'evt_b3']);
  });

  it('applies the others when one event of the delivery cannot be applied, and that one on a later delivery', async () => {
    const batch = batchConsumer('spec.bad');
    const outcomes = await applyBatchOnce(dataSource, batch, [event('evt_c1'), event('bad_c2'), event('evt_c3')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['applied', 'failed', 'applied']);
    expect(await effects('evt_c1')).toBe(1);
    expect(await effects('bad_c2')).toBe(0);
    expect(await effects('evt_c3')).toBe(1);
    // Delivered again with the others: those are skipped, and it fails alone again.
    const again = await applyBatchOnce(dataSource, batch, [event('evt_c1'), event('bad_c2'), event('evt_c3')]);
    expect(again.map((outcome) => outcome.status)).toEqual(['duplicate', 'failed', 'duplicate']);
    expect(batch.committed).toEqual(['evt_c1', 'evt_c3']);
  });

  it('over Redis Streams: takes one read in one transaction and acknowledges only what committed, after the commit', async () => {
    const prefix = `auralink-test:${process.pid}:${randomBytes(3).toString('hex')}`;
    const logger = createLogger('silent');
    const transport = new RedisStreamTransport(
      TEST_REDIS_URL,
      { prefix, retentionMs: 86_400_000, blockMs: 200, claimIdleMs: 60_000 },
      logger,
    );
    const messaging = new Messaging(transport, { streamPrefix: prefix, retentionMs: 86_400_000, testPause: undefined }, logger);
    const redis = new Redis(TEST_REDIS_URL);
    let open!: () => void;
    const batch = batchConsumer('spec.stream', new Promise<void>((resolve) => (open = resolve)));
    const stream = transport.streamOf('identity.member.added');
    const pending = async () => ((await redis.call('XPENDING', stream, 'spec.stream')) as [number])[0];
    try {
      const events = [event('evt_s1'), event('evt_s2'), event('bad_s3'), event('evt_s4')];
      await transport.publish(events);
      messaging.registerConsumer(batch, dataSource);
      await messaging.start();
      // Read, written and held in the open transaction: nothing acknowledged, nothing visible to others.
      await eventually(async () => ((await pending()) === 4 ? true : undefined), 'the read');
      expect(await effects('evt_s1')).toBe(0);
      open();
      await eventually(async () => ((await pending()) === 1 ? true : undefined), 'the acknowledgements');
      for (const id of ['evt_s1', 'evt_s2', 'evt_s4']) expect(await effects(id)).toBe(1);
      expect(await effects('bad_s3')).toBe(0);
      expect(batch.batches[0]).toBe(4);
      // The event that failed stays pending, to be claimed and delivered again.
      const [[id]] = (await redis.call('XPENDING', stream, 'spec.stream', '-', '+', '10')) as [string][];
      const [[, fields]] = (await redis.call('XRANGE', stream, id!, id!)) as [string, string[]][];
      expect(fields!.join(' ')).toContain('bad_s3');
    } finally {
      await messaging.close();
      redis.disconnect();
      await deleteRedisKeys(TEST_REDIS_URL, prefix);
    }
  });
});
