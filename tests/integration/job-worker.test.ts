import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import { createTestDatabase } from '../kit/database';
import type { TestDatabase } from '../kit/database';
import { eventually } from '../kit/eventually';

const ROOT = path.resolve(__dirname, '../..');

/** Worker processes (tests/kit/job-worker.ts) on one database: what a crash or a second worker does to the runs. */
let database: TestDatabase;
let client: Client;
const workers: ChildProcess[] = [];

async function startWorker(jobs: string, name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'tests/kit/job-worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: database.url, WORKER_JOBS: jobs, WORKER_NAME: name, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker ${name} did not start:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('job worker started')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code, signal) => reject(new Error(`worker ${name} exited (${code ?? signal}):\n${output}`)));
  });
  return child;
}

async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

const count = async (sql: string, values: unknown[] = []) => Number((await client.query(sql, values)).rows[0].count);

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
  client = new Client({ connectionString: database.url });
  await client.connect();
  await client.query(`
    CREATE SCHEMA job_test;
    CREATE TABLE job_test.attempts (job_id uuid NOT NULL, key text NOT NULL, at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE job_test.effects (key text PRIMARY KEY, job_id uuid NOT NULL, at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE job_test.ticks (job_id uuid NOT NULL, worker text NOT NULL, at timestamptz NOT NULL DEFAULT now());`);
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((child) => kill(child)));
  await client?.end();
  await database?.drop();
});

describe('job worker processes', () => {
  it('completes every run of a batch exactly once when its worker is killed in the middle and started again', async () => {
    const first = await startWorker('test.effect', 'first');
    const keys = Array.from({ length: 12 }, (_, i) => `item-${i}`);
    // Sent as any producer sends them (pg-boss in another process: no wake-up, the workers poll).
    const producer = new PgBoss({ connectionString: database.url, schema: 'pgboss', supervise: false, schedule: false });
    await producer.start();
    await producer.insert(keys.map((key) => ({ name: 'test.effect', data: { key } })));
    await producer.stop({ graceful: false, wait: true });
    await eventually(async () => ((await count('SELECT count(*) FROM job_test.effects')) >= 4 ? true : undefined), 'a third of the batch');
    await kill(first);

    // Killed mid-batch: runs were active (their effect written, their work not done) and others not started.
    const interrupted = await client.query<{ id: string }>(`SELECT id FROM pgboss.job WHERE name = 'test.effect' AND state = 'active'`);
    expect(interrupted.rows.length).toBeGreaterThan(0);
    // An active run may have been fetched a moment before the kill, its handler not yet begun.
    const begun = new Set(
      (await client.query<{ job_id: string }>('SELECT DISTINCT job_id FROM job_test.attempts')).rows.map((row) => row.job_id),
    );
    expect(await count(`SELECT count(*) FROM pgboss.job WHERE name = 'test.effect' AND state = 'completed'`)).toBeLessThan(12);

    const second = await startWorker('test.effect', 'second');
    await eventually(
      async () =>
        (await count(`SELECT count(*) FROM pgboss.job WHERE name = 'test.effect' AND state = 'completed'`)) === 12 ? true : undefined,
      'every run to complete',
      60_000,
    );
    // Each key's side effect happened once, though the interrupted runs ran twice.
    const effects = await client.query<{ key: string; count: string }>(
      'SELECT key, count(*) FROM job_test.effects GROUP BY key ORDER BY key',
    );
    expect(effects.rows.map((row) => row.key).sort()).toEqual([...keys].sort());
    const attempts = await client.query<{ job_id: string; count: string }>(
      'SELECT job_id, count(*) FROM job_test.attempts GROUP BY job_id',
    );
    const attemptsOf = new Map(attempts.rows.map((row) => [row.job_id, Number(row.count)]));
    for (const { id } of interrupted.rows) expect(attemptsOf.get(id)).toBe(begun.has(id) ? 2 : 1);
    const interruptedAfterStart = interrupted.rows.filter(({ id }) => begun.has(id)).length;
    expect(interruptedAfterStart).toBeGreaterThan(0);
    expect([...attemptsOf.values()].filter((n) => n === 1)).toHaveLength(12 - interruptedAfterStart);
    // Completed once each: one run per key, every interrupted run retried once, nothing dead-lettered.
    const runs = await client.query<{ key: string; retry_count: number }>(
      `SELECT data->>'key' AS key, retry_count FROM pgboss.job WHERE name = 'test.effect' ORDER BY key`,
    );
    expect(runs.rows).toHaveLength(12);
    expect(runs.rows.filter((run) => run.retry_count === 1)).toHaveLength(interrupted.rows.length);
    expect(await count(`SELECT count(*) FROM pgboss.job WHERE name = 'test.effect.dead-letter'`)).toBe(0);
    await kill(second, 'SIGTERM');
  }, 150_000);

  it('runs a schedule once per tick when two workers have it', async () => {
    const minuteOf = async () => Number((await client.query(`SELECT floor(extract(epoch FROM now()) / 60) AS minute`)).rows[0].minute);
    const firstMinute = await minuteOf();
    await Promise.all([startWorker('test.tick', 'one'), startWorker('test.tick', 'two')]);
    // Two ticks (a minute apart), then time for a second send of a tick to show up. A tick's run is
    // created a few seconds after the tick, so runs are counted against the ticks that have passed
    // (the current minute's on start, and one per minute since), not grouped by creation minute.
    const sent = () => count(`SELECT count(*) FROM pgboss.job WHERE name = 'test.tick'`);
    await eventually(async () => ((await sent()) >= 2 ? true : undefined), 'two ticks', 150_000);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const runCount = await sent();
    const ticksPassed = (await minuteOf()) - firstMinute + 1;
    expect(runCount).toBeGreaterThanOrEqual(2);
    expect(runCount).toBeLessThanOrEqual(ticksPassed);
    await eventually(
      async () =>
        (await count(`SELECT count(*) FROM pgboss.job WHERE name = 'test.tick' AND state <> 'completed'`)) === 0 ? true : undefined,
      'the ticks to complete',
    );
    // Each completed run ran once, on one worker or the other.
    const runs = await client.query<{ id: string; count: string }>(
      `SELECT j.id, count(t.job_id) FROM pgboss.job j LEFT JOIN job_test.ticks t ON t.job_id = j.id
        WHERE j.name = 'test.tick' AND j.state = 'completed' GROUP BY j.id`,
    );
    expect(runs.rows.length).toBeGreaterThanOrEqual(runCount);
    expect(runs.rows.map((run) => Number(run.count))).toEqual(runs.rows.map(() => 1));
  }, 200_000);
});
