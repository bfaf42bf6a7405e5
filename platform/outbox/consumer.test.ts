import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../tests/kit/database';
import type { TestDatabase } from '../../tests/kit/database';
import { authzSubgraph } from '../../subgraphs/authz';
import { createDataSource } from '../database';
import { applyOnce } from './consumer';
import type { EventConsumer } from './consumer';
import type { AnyEvent } from './event-catalogue';

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
