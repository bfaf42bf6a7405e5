import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { eventually } from '../../tests/kit/eventually';
import { deleteRedisKeys } from '../../tests/kit/redis';
import { TEST_REDIS_URL } from '../../tests/kit/supergraph';
import { createLogger } from '../logger';
import type { AnyEvent } from './event-catalogue';
import { RedisStreamTransport } from './redis-stream-transport';

const logger = createLogger('silent');
const prefix = `auralink-test:${process.pid}:${randomBytes(3).toString('hex')}`;
const transports: RedisStreamTransport[] = [];
let sequence = 0;

function transport(options: { claimIdleMs?: number } = {}): RedisStreamTransport {
  const created = new RedisStreamTransport(TEST_REDIS_URL, { prefix, retentionMs: 86_400_000, blockMs: 200, ...options }, logger);
  transports.push(created);
  return created;
}

function removed(userId: string): AnyEvent {
  sequence += 1;
  return {
    id: `evt_${randomBytes(6).toString('hex')}`,
    type: 'identity.member.removed',
    source: 'identity',
    sequence,
    occurredAt: new Date('2026-01-02T03:04:05.006Z'),
    payload: { organizationId: 'org_1', userId, membershipId: `mem_${userId}` },
  };
}

afterEach(async () => {
  await Promise.all(transports.splice(0).map((created) => created.close()));
  await deleteRedisKeys(TEST_REDIS_URL, prefix);
});

describe('Redis Streams transport', () => {
  it('delivers every event to each consumer group once, as it was published, dates included', async () => {
    const publisher = transport();
    const first = removed('user_1');
    // Published before either group exists: groups read their stream from the start.
    await publisher.publish([first]);
    const audit: AnyEvent[] = [];
    const roles: AnyEvent[] = [];
    const replicas = [transport(), transport()];
    for (const replica of replicas) {
      await replica.consume({ group: 'spec.roles', types: ['identity.member.removed'], handle: async (event) => void roles.push(event) });
    }
    await transport().consume({ group: 'spec.audit', types: ['identity.member.removed'], handle: async (event) => void audit.push(event) });
    const rest = [removed('user_2'), removed('user_3'), removed('user_4')];
    await publisher.publish(rest);

    await eventually(async () => (audit.length === 4 && roles.length === 4 ? true : undefined), 'both groups');
    expect(audit).toEqual([first, ...rest]);
    expect(roles.map((event) => event.id).sort()).toEqual([first, ...rest].map((event) => event.id).sort());
    expect(audit[0]!.occurredAt).toBeInstanceOf(Date);
  });

  it('delivers again an event whose handler failed', async () => {
    const publisher = transport();
    let attempts = 0;
    const applied: string[] = [];
    await transport({ claimIdleMs: 100 }).consume({
      group: 'spec.flaky',
      types: ['identity.member.removed'],
      handle: async (event) => {
        attempts += 1;
        if (attempts === 1) throw new Error('database hiccup');
        applied.push(event.id);
      },
    });
    const event = removed('user_5');
    await publisher.publish([event]);
    await eventually(async () => (applied.length > 0 ? true : undefined), 'the second delivery');
    expect(applied).toEqual([event.id]);
  });

  it('hands an event a crashed process had read, and never acknowledged, to another process of the group', async () => {
    const publisher = transport();
    const stream = publisher.streamOf('identity.member.removed');
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await redis.call('XGROUP', 'CREATE', stream, 'spec.crash', '0', 'MKSTREAM');
      const event = removed('user_6');
      await publisher.publish([event]);
      // The process that crashed: it read the entry for its group and died before acknowledging it.
      const read = await redis.call('XREADGROUP', 'GROUP', 'spec.crash', 'crashed-process', 'COUNT', '10', 'STREAMS', stream, '>');
      expect(JSON.stringify(read)).toContain(event.id);

      const applied: string[] = [];
      await transport({ claimIdleMs: 100 }).consume({
        group: 'spec.crash',
        types: ['identity.member.removed'],
        handle: async (delivered) => void applied.push(delivered.id),
      });
      await eventually(async () => (applied.length > 0 ? true : undefined), 'the claimed entry');
      expect(applied).toEqual([event.id]);
    } finally {
      redis.disconnect();
    }
  });

  it('lets every process follow events: what was published since a moment, then what comes', async () => {
    const publisher = transport();
    const before = removed('user_7');
    await publisher.publish([before]);
    const seen: string[] = [];
    await transport().follow(['identity.member.removed'], new Date(Date.now() - 60_000), (event) => seen.push(event.id));
    expect(seen).toEqual([before.id]);
    const after = removed('user_8');
    await publisher.publish([after]);
    await eventually(async () => (seen.length === 2 ? true : undefined), 'the new event');
    expect(seen).toEqual([before.id, after.id]);
  });

  it('tells every process that a consumer applied an event', async () => {
    const heard: string[] = [];
    await transport().onApplied((group, eventId) => heard.push(`${group} ${eventId}`));
    await transport().announceApplied('spec.roles', 'evt_x');
    await eventually(async () => (heard.length > 0 ? true : undefined), 'the receipt');
    expect(heard).toEqual(['spec.roles evt_x']);
  });
});
