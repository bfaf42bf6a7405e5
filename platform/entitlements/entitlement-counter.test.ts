import { randomBytes } from 'node:crypto';
import { TEST_REDIS_URL } from '../../tests/kit/supergraph';
import { deleteRedisKeys } from '../../tests/kit/redis';
import { InProcessEntitlementCounter, RedisEntitlementCounter } from './entitlement-counter';
import type { EntitlementCounter } from './entitlement-counter';

const prefix = `auralink-test:${randomBytes(4).toString('hex')}`;

describe.each([
  ['in process', () => new InProcessEntitlementCounter()],
  ['in Redis', () => new RedisEntitlementCounter(TEST_REDIS_URL, prefix)],
] as const)('entitlement counters %s', (_where, create) => {
  let counter: EntitlementCounter;
  beforeAll(() => {
    counter = create();
  });
  afterAll(async () => {
    await counter.close();
    await deleteRedisKeys(TEST_REDIS_URL, prefix);
  });

  it('answer what billing wrote last, per organization and feature, and nothing for an organization never written', async () => {
    await counter.set('org_a', { call_minutes: { used: 1000, limit: 1000 }, ai_calls: { used: 3, limit: null } });
    await counter.set('org_a', { call_minutes: { used: 1000, limit: null } });

    expect(await counter.get('org_a', 'call_minutes')).toEqual({ used: 1000, limit: null });
    expect(await counter.get('org_a', 'ai_calls')).toEqual({ used: 3, limit: null });
    expect(await counter.get('org_a', 'recording_storage')).toBeNull();
    expect(await counter.get('org_b', 'call_minutes')).toBeNull();
  });

  it('are shared by every reader of the same store', async () => {
    const other = counter instanceof RedisEntitlementCounter ? new RedisEntitlementCounter(TEST_REDIS_URL, prefix) : counter;
    await counter.set('org_c', { ai_calls: { used: 100, limit: 100 } });
    expect(await other.get('org_c', 'ai_calls')).toEqual({ used: 100, limit: 100 });
    if (other !== counter) await other.close();
  });
});
