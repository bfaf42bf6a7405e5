/**
 * A job worker process for tests, as `npm run worker` runs it (the runner, its schedules,
 * SIGTERM to stop), over test jobs that leave their side effects in the `job_test` schema:
 * `test.effect` writes one row per key (its idempotency: a unique key from the run's input)
 * and works on for a while after it, `test.tick` runs every minute and writes one row per
 * run (tables: tests/integration/job-worker.test.ts). `WORKER_JOBS` names the ones to register (comma-separated). Needs DATABASE_URL.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { createLogger } from '../../platform/logger';
import { defineJob } from '../../platform/jobs/job-definition';
import { startJobRunner } from '../../platform/jobs/runner';
import type { RegisteredJob } from '../../platform/jobs/runner';

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL!;
  const names = (process.env.WORKER_JOBS ?? 'test.effect').split(',');
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  const workerName = process.env.WORKER_NAME ?? String(process.pid);

  const effect = defineJob<Pool, { key: string }>({
    name: 'test.effect',
    description: 'writes the row of its key once, then works on',
    concurrency: 3,
    retryDelaySeconds: 1,
    run: async (context, db) => {
      await db.query('INSERT INTO job_test.attempts (job_id, key) VALUES ($1, $2)', [context.id, context.payload.key]);
      // The side effect is idempotent by the run's input: a second attempt of the same key writes nothing.
      await db.query('INSERT INTO job_test.effects (key, job_id) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
        context.payload.key,
        context.id,
      ]);
      await sleep(Number(process.env.EFFECT_WORK_MS ?? 1500), undefined, { signal: context.signal });
      return { key: context.payload.key };
    },
  });
  const tick = defineJob<Pool>({
    name: 'test.tick',
    description: 'writes a row each run',
    schedule: '* * * * *',
    run: async (context, db) => {
      await db.query('INSERT INTO job_test.ticks (job_id, worker) VALUES ($1, $2)', [context.id, workerName]);
    },
  });
  const jobs: RegisteredJob[] = [effect, tick]
    .filter((definition) => names.includes(definition.name))
    .map((definition) => ({ definition, services: pool }));

  const runner = await startJobRunner({
    databaseUrl,
    schema: 'pgboss',
    logger: createLogger(process.env.LOG_LEVEL ?? 'info', { service: 'test-worker', worker: workerName }),
    jobs,
    shutdownGraceSeconds: 1,
    pollingIntervalSeconds: 0.5,
    cronMonitorIntervalSeconds: 1,
    reclaimIntervalSeconds: 1,
  });
  process.once('SIGTERM', () => {
    void runner
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`test worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
