import { randomUUID } from 'node:crypto';
import PgBoss from 'pg-boss';
import { Client } from 'pg';
import type { Logger } from '../logger';
import type { JobDefinition, JobPayload, JobResult } from './job-definition';
import type { JobRunUpdate } from './run-store';
import { Wakeups } from './wakeups';

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
  /** How often the runs of workers that died are looked for (default 10 s; also at start). */
  reclaimIntervalSeconds?: number;
  /**
   * Told when a run of an organization (its payload's `organizationId`) starts, reports
   * progress (at most every 250 ms), completes or fails; `jobUpdates` is fed from here.
   */
  onUpdate?: (update: JobRunUpdate) => Promise<void>;
  /** This worker's id, shown in claims and logs (default: a new UUID). */
  workerId?: string;
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
  workerId: string;
  /** Fails (for a retry) the active runs of workers that died; resolves to how many. */
  reclaim(): Promise<number>;
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
/** A run of a job that sets no `timeoutSeconds` fails after this. */
export const DEFAULT_TIMEOUT_SECONDS = 15 * 60;
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
  run: { id: string; payload: JobPayload; logger: Logger; progress: Pick<ProgressStore, 'record'>; stop?: AbortSignal },
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

/** The `application_name` of a worker's session: how other workers tell it is alive. */
export const workerSessionName = (workerId: string) => `auralink-worker ${workerId}`;

/**
 * A worker's own PostgreSQL session, open as long as the worker lives: it holds the
 * advisory locks of the runs' slots (a killed worker's connection closes, and its slots
 * with it), names the worker in `pg_stat_activity`, and listens for newly sent runs.
 */
class WorkerSession {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  /** Slots this process holds: session locks are re-entrant, so the process keeps count itself. */
  private readonly held = new Set<string>();

  constructor(
    private readonly databaseUrl: string,
    private readonly workerId: string,
    private readonly channel: string,
    private readonly logger: Logger,
    private readonly onNotice: (name: string) => void,
  ) {}

  private tail: Promise<unknown> = Promise.resolve();

  /** One statement at a time on the session (a pg client runs them in turn anyway). */
  query(sql: string, values?: unknown[]): Promise<{ rows: any[] }> {
    const result = this.tail.then(async () => (await this.connect()).query(sql, values));
    this.tail = result.catch(() => undefined);
    return result;
  }

  private connect(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new Client({ connectionString: this.databaseUrl, application_name: workerSessionName(this.workerId) });
      client.on('error', (error) => {
        this.logger.error({ err: error }, 'job worker session lost');
        this.drop(client);
      });
      client.on('end', () => this.drop(client));
      client.on('notification', (message) => {
        if (message.payload) this.onNotice(message.payload);
      });
      try {
        await client.connect();
        await client.query(`LISTEN "${this.channel}"`);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      } finally {
        this.connecting = undefined;
      }
      this.client = client;
      return client;
    })();
    return this.connecting;
  }

  private drop(client: Client): void {
    if (this.client !== client) return;
    // The locks went with the connection.
    this.client = undefined;
    this.held.clear();
  }

  /** One of the job's `slots` free across every worker, locked for this caller; null when all are taken. */
  async acquireSlot(name: string, slots: number): Promise<number | null> {
    for (let slot = 0; slot < slots; slot += 1) {
      const key = `${name}#${slot}`;
      if (this.held.has(key)) continue;
      this.held.add(key);
      const { rows } = await this.query('SELECT pg_try_advisory_lock(hashtext($1), $2) AS locked', [name, slot]).catch((error: unknown) => {
        this.held.delete(key);
        throw error;
      });
      if (rows[0].locked) return slot;
      this.held.delete(key);
    }
    return null;
  }

  async releaseSlot(name: string, slot: number): Promise<void> {
    const key = `${name}#${slot}`;
    if (!this.held.delete(key) || !this.client) return;
    await this.query('SELECT pg_advisory_unlock(hashtext($1), $2)', [name, slot]);
  }

  async close(): Promise<void> {
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    this.held.clear();
    await client?.end().catch(() => undefined);
  }
}

const RECLAIM_LOCK = 'auralink.jobs.reclaim';
const QUEUES_LOCK = 'auralink.jobs.queues';
/** An active run that never got a claim (its worker died between fetching and claiming) is reclaimed after this. */
const UNCLAIMED_GRACE_SECONDS = 60;

/**
 * The worker: every registered job is a pg-boss queue (retries with exponential backoff,
 * a timeout, a dead-letter queue), each schedule a pg-boss cron schedule (sent once per
 * tick however many workers run). Runs are fetched by the runner's own loops: a job's
 * `concurrency` is how many of its runs go at once across every worker (advisory-lock
 * slots), each run is claimed by its worker, and the active runs of a worker that died
 * (its session gone from `pg_stat_activity`) are failed at once, to be retried, instead of
 * waiting for their expiry.
 */
export async function startJobRunner(options: JobRunnerOptions): Promise<JobRunner> {
  const { logger, schema } = options;
  const workerId = options.workerId ?? randomUUID();
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema,
    max: options.poolMax ?? 4,
    application_name: 'auralink-worker',
    cronMonitorIntervalSeconds: options.cronMonitorIntervalSeconds ?? 30,
  });
  boss.on('error', (error: Error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  const db = boss.getDb() as unknown as { executeSql(sql: string, values?: unknown[]): Promise<{ rows: any[] }> };
  const execute = (sql: string, values?: unknown[]) => db.executeSql(sql, values);
  const progress = new ProgressStore(execute, schema);
  await progress.ensureTable();
  await ensureClaimsTable(execute, schema);

  const byName = new Map(options.jobs.map((job) => [job.definition.name, job]));
  const channel = jobsChannel(schema);
  const wakeups = new Wakeups();
  const session = new WorkerSession(options.databaseUrl, workerId, channel, logger, (name) => wakeups.wake(name));
  await session.query('SELECT 1');
  /** Set on close: loops stop taking runs. */
  const closing = new AbortController();
  /** Set when the grace period is over: running handlers are aborted. */
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();
  const pollMs = Math.max(0.5, options.pollingIntervalSeconds) * 1000;

  // Workers starting together would deadlock creating the same queues' partitions: one at a time.
  await session.query('SELECT pg_advisory_lock(hashtext($1))', [QUEUES_LOCK]);
  try {
    await createQueues(boss, options.jobs);
  } finally {
    await session.query('SELECT pg_advisory_unlock(hashtext($1))', [QUEUES_LOCK]);
  }

  const claims = `"${schema}".job_claims`;

  /** Tells `onUpdate` about a run of an organization; a listener's failure never fails the run. */
  const announce = (name: string, id: string, payload: unknown) => {
    const organizationId = (payload as JobPayload | null)?.organizationId;
    if (!options.onUpdate || typeof organizationId !== 'string') return;
    void options
      .onUpdate({ id, name, organizationId })
      .catch((error: unknown) => logger.warn({ err: error, jobId: id }, 'job update not sent'));
  };

  const runOne = async (job: RegisteredJob, received: PgBoss.Job<JobPayload>): Promise<void> => {
    const { definition } = job;
    const runLogger = logger.child({ job: definition.name, jobId: received.id });
    runLogger.info('job started');
    announce(definition.name, received.id, received.data);
    let lastProgress = 0;
    const reporting: Pick<ProgressStore, 'record'> = {
      record: async (id, name, done, total) => {
        await progress.record(id, name, done, total);
        if (done >= total || Date.now() - lastProgress >= 250) {
          lastProgress = Date.now();
          announce(name, id, received.data);
        }
      },
    };
    try {
      const result = await executeJob(job, {
        id: received.id,
        payload: received.data ?? {},
        logger: runLogger,
        progress: reporting,
        stop: stopping.signal,
      });
      await boss.complete(definition.name, received.id, result);
      runLogger.info({ result }, 'job completed');
    } catch (error) {
      runLogger.warn({ err: error }, 'job failed');
      await boss.fail(definition.name, received.id, error as object);
    } finally {
      announce(definition.name, received.id, received.data);
    }
  };

  const loop = async (job: RegisteredJob): Promise<void> => {
    const { name } = job.definition;
    const slots = concurrencyOf(job.definition);
    while (!closing.signal.aborted) {
      let slot: number | null = null;
      try {
        const seen = wakeups.count(name);
        slot = await session.acquireSlot(name, slots);
        if (slot === null) {
          await wakeups.wait(name, pollMs, closing.signal, seen);
          continue;
        }
        const [received] = await boss.fetch<JobPayload>(name, { batchSize: 1 });
        if (!received) {
          await session.releaseSlot(name, slot);
          slot = null;
          await wakeups.wait(name, pollMs, closing.signal, seen);
          continue;
        }
        await execute(
          `INSERT INTO ${claims} (job_id, name, worker) VALUES ($1, $2, $3) ON CONFLICT (job_id) DO UPDATE SET worker = EXCLUDED.worker, claimed_at = now()`,
          [received.id, name, workerId],
        );
        const run = runOne(job, received);
        running.add(run);
        try {
          await run;
        } finally {
          running.delete(run);
        }
        await execute(`DELETE FROM ${claims} WHERE job_id = $1 AND worker = $2`, [received.id, workerId]);
      } catch (error) {
        logger.error({ err: error, job: name }, 'job loop error');
        await wakeups.wait(name, pollMs, closing.signal);
      } finally {
        if (slot !== null) await session.releaseSlot(name, slot).catch(() => undefined);
      }
    }
  };

  const reclaim = async (): Promise<number> => {
    const { rows: locked } = await session.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [RECLAIM_LOCK]);
    if (!locked[0].locked) return 0;
    try {
      const { rows } = await execute(
        `SELECT j.id, j.name, j.data, c.worker
           FROM "${schema}".job j
           LEFT JOIN ${claims} c ON c.job_id = j.id
          WHERE j.state = 'active' AND j.name = ANY($1::text[])
            AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = 'auralink-worker ' || c.worker)
            AND (c.worker IS NOT NULL OR j.started_on < now() - make_interval(secs => $2))`,
        [[...byName.keys()], UNCLAIMED_GRACE_SECONDS],
      );
      for (const row of rows) {
        logger.warn({ job: row.name, jobId: row.id, worker: row.worker }, 'job run of a stopped worker failed, to be retried');
        await boss.fail(row.name, row.id, { message: `the worker running it stopped (worker ${row.worker ?? 'unknown'})` });
        announce(row.name, row.id, row.data);
      }
      await execute(
        `DELETE FROM ${claims} c WHERE NOT EXISTS (SELECT 1 FROM "${schema}".job j WHERE j.id = c.job_id AND j.state = 'active')`,
      );
      return rows.length;
    } finally {
      await session.query('SELECT pg_advisory_unlock(hashtext($1))', [RECLAIM_LOCK]);
    }
  };
  await reclaim();
  const reclaimTimer = setInterval(
    () => void reclaim().catch((error: unknown) => logger.error({ err: error }, 'job reclaim failed')),
    (options.reclaimIntervalSeconds ?? 10) * 1000,
  );

  const loops: Promise<void>[] = [];
  for (const job of options.jobs) {
    for (let i = 0; i < concurrencyOf(job.definition); i += 1) loops.push(loop(job));
  }

  // Schedules follow the definitions: added, changed, and removed when a definition drops its own.
  for (const schedule of await boss.getSchedules()) {
    if (byName.has(schedule.name) && !byName.get(schedule.name)?.definition.schedule) await boss.unschedule(schedule.name);
  }
  for (const { definition } of options.jobs) {
    if (!definition.schedule) continue;
    await boss.schedule(definition.name, definition.schedule, {}, { tz: 'UTC', singletonKey: SCHEDULE_SINGLETON_KEY });
  }
  logger.info({ jobs: options.jobs.map((job) => job.definition.name), workerId }, 'job worker started');

  let closed: Promise<void> | undefined;
  return {
    boss,
    workerId,
    deadLetterQueue: deadLetterQueueOf,
    send: async (name, payload: object = {}, sendOptions = {}) => {
      if (!byName.has(name)) throw new Error(`unknown job ${name}`);
      const id = await boss.send(name, payload, { id: randomUUID(), singletonKey: sendOptions.singletonKey });
      // Every worker's idle loops of that job wake at once rather than at their next poll.
      if (id) await execute('SELECT pg_notify($1, $2)', [channel, name]);
      return id;
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
    reclaim,
    close: () => {
      closed ??= (async () => {
        closing.abort();
        clearInterval(reclaimTimer);
        const grace = setTimeout(() => stopping.abort(), options.shutdownGraceSeconds * 1000);
        // Running handlers finish, or are aborted after the grace period (and failed, to be retried).
        await Promise.allSettled(loops);
        clearTimeout(grace);
        await boss.stop({ graceful: true, wait: true, timeout: 5_000 });
        await session.close();
        logger.info('job worker stopped');
      })();
      return closed;
    },
  };
}

/** Every job's queue and dead-letter queue, with the job's settings. */
async function createQueues(boss: PgBoss, jobs: readonly RegisteredJob[]): Promise<void> {
  for (const job of jobs) {
    const { definition } = job;
    const deadLetter = deadLetterQueueOf(definition.name);
    await boss.createQueue(deadLetter, { name: deadLetter, retentionMinutes: 14 * 24 * 60 } as PgBoss.Queue);
    const queue: PgBoss.Queue = {
      name: definition.name,
      // One run at a time is also kept by the database for a job of concurrency 1 (per singleton key).
      policy: concurrencyOf(definition) === 1 ? 'singleton' : 'standard',
      retryLimit: definition.retryLimit ?? DEFAULT_RETRY_LIMIT,
      retryDelay: definition.retryDelaySeconds ?? DEFAULT_RETRY_DELAY_SECONDS,
      retryBackoff: true,
      expireInSeconds: (definition.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) + 60,
      deadLetter,
    };
    // create_queue does nothing for a queue that exists: the update carries changed settings.
    await boss.createQueue(definition.name, queue);
    await boss.updateQueue(definition.name, queue);
  }
}

function concurrencyOf(definition: JobDefinition<any, any>): number {
  return Math.max(1, Math.floor(definition.concurrency ?? 1));
}

/** The channel a sent run is announced on (its job's name as the payload). */
export const jobsChannel = (schema: string) => `${schema}.jobs`;

/** Which worker is running which run: how a worker that died is told from one still working. */
async function ensureClaimsTable(execute: (sql: string, values?: unknown[]) => Promise<{ rows: any[] }>, schema: string): Promise<void> {
  await execute(`
    DO $$ BEGIN
      PERFORM pg_advisory_xact_lock(hashtext('auralink.job_claims'));
      CREATE TABLE IF NOT EXISTS "${schema}".job_claims (
        job_id uuid PRIMARY KEY,
        name text NOT NULL,
        worker text NOT NULL,
        claimed_at timestamptz NOT NULL DEFAULT now()
      );
    END $$`);
}
