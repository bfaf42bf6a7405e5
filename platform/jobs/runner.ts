import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Logger } from '../logger';
import type { JobDefinition, JobPayload, JobResult } from './job-definition';

/** A job with the services of the subgraph it belongs to, ready to run. */
export interface RegisteredJob {
  definition: JobDefinition<any, any>;
  services: unknown;
}

export interface JobRunnerOptions {
  databaseUrl: string;
  /** The PostgreSQL schema pg-boss keeps its queues in (and the runs' progress). */
  schema: string;
  logger: Logger;
  jobs: readonly RegisteredJob[];
  /** How long `close` lets running jobs finish before they are failed (and retried later). */
  shutdownGraceSeconds: number;
  /** How often an idle worker asks for work (at least 0.5). */
  pollingIntervalSeconds: number;
  /** How often the schedules are checked (1–45 s). */
  cronMonitorIntervalSeconds?: number;
  poolMax?: number;
}

export interface JobRunner {
  /** Queues one run of a job; resolves to its id, or null when a run with the same singleton key is already waiting. */
  send(name: string, payload?: object, options?: { singletonKey?: string }): Promise<string | null>;
  /** A run as pg-boss keeps it (state, attempts, output), with its last progress. */
  getRun(name: string, id: string): Promise<JobRunState | null>;
  /** The dead-letter queue of a job: where a run lands once its retries are spent. */
  deadLetterQueue(name: string): string;
  boss: PgBoss;
  /** Stops taking work, lets running jobs finish for the grace period, fails (for a retry) the rest. */
  close(): Promise<void>;
}

export interface JobRunState {
  id: string;
  name: string;
  state: string;
  retryCount: number;
  output: unknown;
  progress: { done: number; total: number } | null;
}

const DEFAULT_RETRY_LIMIT = 2;
const DEFAULT_RETRY_DELAY_SECONDS = 30;
const DEFAULT_TIMEOUT_SECONDS = 15 * 60;
/** The singleton key of scheduled runs: one tick's run never overlaps the previous one's. */
export const SCHEDULE_SINGLETON_KEY = 'schedule';

export const deadLetterQueueOf = (name: string) => `${name}.dead-letter`;

/** Stores `JobContext.progress` per run in `<schema>.job_progress`. */
export class ProgressStore {
  constructor(
    private readonly execute: (sql: string, values?: unknown[]) => Promise<{ rows: any[] }>,
    private readonly schema: string,
  ) {}

  private get table() {
    return `"${this.schema}".job_progress`;
  }

  async ensureTable(): Promise<void> {
    // Two workers starting together: one creates, the other waits on the lock and finds it.
    await this.execute(`
      DO $$ BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('auralink.job_progress'));
        CREATE SCHEMA IF NOT EXISTS "${this.schema}";
        CREATE TABLE IF NOT EXISTS ${this.table} (
          job_id uuid PRIMARY KEY,
          name text NOT NULL,
          done integer NOT NULL,
          total integer NOT NULL,
          updated_at timestamptz NOT NULL DEFAULT now()
        );
      END $$`);
  }

  async record(id: string, name: string, done: number, total: number): Promise<void> {
    await this.execute(
      `INSERT INTO ${this.table} (job_id, name, done, total) VALUES ($1, $2, $3, $4)
       ON CONFLICT (job_id) DO UPDATE SET done = EXCLUDED.done, total = EXCLUDED.total, updated_at = now()`,
      [id, name, Math.max(0, Math.floor(done)), Math.max(0, Math.floor(total))],
    );
  }

  async get(id: string): Promise<{ done: number; total: number } | null> {
    const { rows } = await this.execute(`SELECT done, total FROM ${this.table} WHERE job_id = $1`, [id]);
    return rows[0] ? { done: Number(rows[0].done), total: Number(rows[0].total) } : null;
  }
}

/**
 * Runs one job's handler: a timeout and a stop abort its signal, and a run that ignores
 * the signal still ends (as failed) when it is aborted.
 */
export async function executeJob(
  job: RegisteredJob,
  run: { id: string; payload: JobPayload; logger: Logger; progress: ProgressStore; stop?: AbortSignal },
): Promise<JobResult> {
  const { definition } = job;
  const controller = new AbortController();
  const timeoutSeconds = definition.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const timer = setTimeout(
    () => controller.abort(new Error(`${definition.name} timed out after ${timeoutSeconds} s`)),
    timeoutSeconds * 1000,
  );
  const onStop = () => controller.abort(new Error(`${definition.name} was stopped with the worker`));
  run.stop?.addEventListener('abort', onStop, { once: true });
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    const result = await Promise.race([
      definition.run(
        {
          id: run.id,
          payload: run.payload,
          logger: run.logger,
          signal: controller.signal,
          progress: (done, total) => run.progress.record(run.id, definition.name, done, total),
        },
        job.services,
      ),
      aborted,
    ]);
    return result ?? {};
  } finally {
    clearTimeout(timer);
    run.stop?.removeEventListener('abort', onStop);
  }
}

/**
 * The worker: every registered job is a pg-boss queue (retries with exponential backoff,
 * a timeout, a dead-letter queue, one run at a time per singleton key), each schedule a
 * pg-boss cron schedule (sent once per tick however many workers run).
 */
export async function startJobRunner(options: JobRunnerOptions): Promise<JobRunner> {
  const { logger } = options;
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: options.schema,
    max: options.poolMax ?? 4,
    application_name: 'auralink-worker',
    cronMonitorIntervalSeconds: options.cronMonitorIntervalSeconds ?? 30,
  });
  boss.on('error', (error: Error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  const db = boss.getDb() as unknown as { executeSql(sql: string, values?: unknown[]): Promise<{ rows: any[] }> };
  const progress = new ProgressStore((sql, values) => db.executeSql(sql, values), options.schema);
  await progress.ensureTable();

  const byName = new Map(options.jobs.map((job) => [job.definition.name, job]));
  const stopping = new AbortController();

  for (const job of options.jobs) {
    const { definition } = job;
    const deadLetter = deadLetterQueueOf(definition.name);
    await boss.createQueue(deadLetter, { name: deadLetter, retentionMinutes: 14 * 24 * 60 } as PgBoss.Queue);
    const queue: PgBoss.Queue = {
      name: definition.name,
      policy: 'singleton',
      retryLimit: definition.retryLimit ?? DEFAULT_RETRY_LIMIT,
      retryDelay: definition.retryDelaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS,
      retryBackoff: true,
      expireInSeconds: (definition.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) + 60,
      deadLetter,
    };
    // create_queue does nothing for a queue that exists: the update carries changed settings.
    await boss.createQueue(definition.name, queue);
    await boss.updateQueue(definition.name, queue);

    for (let i = 0; i < Math.max(1, definition.concurrency ?? 1); i += 1) {
      await boss.work<JobPayload>(
        definition.name,
        { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds },
        async ([received]) => {
          const runLogger = logger.child({ job: definition.name, jobId: received.id });
          runLogger.info('job started');
          try {
            const result = await executeJob(job, {
              id: received.id,
              payload: received.data ?? {},
              logger: runLogger,
              progress,
              stop: stopping.signal,
            });
            runLogger.info({ result }, 'job completed');
            return result;
          } catch (error) {
            runLogger.warn({ err: error }, 'job failed');
            throw error;
          }
        },
      );
    }
  }

  // Schedules follow the definitions: added, changed, and removed when a definition drops its own.
  for (const schedule of await boss.getSchedules()) {
    if (byName.has(schedule.name) && !byName.get(schedule.name)?.definition.schedule) await boss.unschedule(schedule.name);
  }
  for (const { definition } of options.jobs) {
    if (!definition.schedule) continue;
    await boss.schedule(definition.name, definition.schedule, {}, { tz: 'UTC', singletonKey: SCHEDULE_SINGLETON_KEY });
  }
  logger.info({ jobs: options.jobs.map((job) => job.definition.name) }, 'job worker started');

  let closed: Promise<void> | undefined;
  return {
    boss,
    deadLetterQueue: deadLetterQueueOf,
    send: async (name, payload: object = {}, sendOptions = {}) => {
      if (!byName.has(name)) throw new Error(`unknown job ${name}`);
      return boss.send(name, payload, { id: randomUUID(), singletonKey: sendOptions.singletonKey });
    },
    getRun: async (name, id) => {
      const job = await boss.getJobById<JobPayload>(name, id);
      if (!job) return null;
      return {
        id: job.id,
        name: job.name,
        state: job.state,
        retryCount: job.retryCount,
        output: job.output,
        progress: await progress.get(id),
      };
    },
    close: () => {
      closed ??= (async () => {
        const grace = setTimeout(() => stopping.abort(), options.shutdownGraceSeconds * 1000);
        await boss.stop({ graceful: true, wait: true, timeout: options.shutdownGraceSeconds * 1000 + 1000 });
        clearTimeout(grace);
        logger.info('job worker stopped');
      })();
      return closed;
    },
  };
}
