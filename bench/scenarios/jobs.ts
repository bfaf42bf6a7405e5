/**
 * The job runner (platform/jobs/runner.ts), in process, on a database created for the run.
 *
 * - Throughput: a no-op job's queue kept at 250–500 waiting runs by a producer while it is
 *   drained, for `--duration` seconds after `--warmup`, at each `--connections` level as the
 *   job's `concurrency`; runs counted from the handlers' ends in that window.
 * - Queue-to-start latency: one run at a time sent to idle workers, from just before the send
 *   to the handler's start.
 *
 * Peers, one after the other on the same database: the runner, started as `npm run worker`
 * starts it (the config's polling interval and grace; a sent run wakes idle workers by
 * NOTIFY); pg-boss's own `work()`, the library the runner wraps, with as many workers as the
 * concurrency, at its shortest polling interval, for throughput also with batches; and, for
 * throughput, a floor: pg-boss `fetch()` and `complete()` in as many loops, no wait between runs.
 */
import { randomBytes } from 'node:crypto';
import PgBoss from 'pg-boss';
import { Client } from 'pg';
import { loadConfig } from '../../platform/config';
import { withDatabase } from '../../platform/database-url';
import { defineJob } from '../../platform/jobs/job-definition';
import { createLogger } from '../../platform/logger';
import { isProcessAlive } from '../../platform/process-alive';
import { startJobRunner } from '../../platform/jobs/runner';
import { dropStaleBenchDatabases } from '../data';
import { BENCH_DATABASE_URL, BENCH_LOG_LEVEL } from '../environment';
import type { Scenario } from '../options';
import type { Cell } from '../report';

/** pg-boss's shortest polling interval (its `work()` waits this long after every fetch unless notified). */
const PG_BOSS_MIN_POLLING_SECONDS = 0.5;
const PG_BOSS_BATCH = 20;
/** Runs kept waiting in a throughput run's queue. */
const BACKLOG = 500;

interface Consumer {
  /** Stops taking runs; resolves once the running ones ended. */
  stop(): Promise<void>;
}

/** When the handlers of a throughput run started and ended (performance.now()). */
interface Probe {
  starts: number[];
  ends: number[];
}

interface Peer {
  name: string;
  /** Starts consuming `queue` with `concurrency` runs at once; the handler calls `handle`. */
  start(queue: string, concurrency: number, handle: (data: { sentAt?: number }) => void): Promise<Consumer>;
  /** Sends one run of `queue` (as a producer of this peer would). */
  send(queue: string, data: object): Promise<void>;
  /** Throughput only. */
  throughputOnly?: boolean;
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function createEmptyDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `auralink_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new Client({ connectionString: BENCH_DATABASE_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  return { url: withDatabase(BENCH_DATABASE_URL, name), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export const jobsScenario: Scenario = async (options, log) => {
  const config = loadConfig({}).jobs;
  const warmupMs = options.warmupSeconds * 1000;
  const measureMs = options.durationSeconds * 1000;
  const latencySamples = options.smoke ? 3 : 20;
  const logger = createLogger(BENCH_LOG_LEVEL, { service: 'bench-jobs' });

  await dropStaleBenchDatabases(isProcessAlive);
  const database = await createEmptyDatabase();
  // The producer: a plain pg-boss in the same schema, as another process sending runs would be.
  const producer = new PgBoss({ connectionString: database.url, schema: config.schema, max: 4, supervise: false, schedule: false });
  producer.on('error', (error: Error) => log(`producer error: ${error.message}`));
  await producer.start();

  /** Adds `count` runs to a queue in one INSERT. */
  const fill = (queue: string, count: number) => producer.insert(Array.from({ length: count }, () => ({ name: queue, data: {} })));

  let runner: Awaited<ReturnType<typeof startJobRunner>> | undefined;
  const runnerPeer: Peer = {
    name: 'runner (platform/jobs)',
    start: async (queue, concurrency, handle) => {
      const job = defineJob<null, { sentAt?: number }>({
        name: queue,
        description: 'does nothing',
        concurrency,
        run: async (context) => {
          handle(context.payload);
        },
      });
      runner = await startJobRunner({
        databaseUrl: database.url,
        schema: config.schema,
        logger,
        jobs: [{ definition: job, services: null }],
        shutdownGraceSeconds: config.shutdownGraceSeconds,
        pollingIntervalSeconds: config.pollingIntervalSeconds,
      });
      return { stop: () => runner!.close() };
    },
    send: async (queue, data) => {
      await runner!.send(queue, data);
    },
  };

  const bossPeer = (batchSize: number, throughputOnly = false): Peer => {
    let boss: PgBoss | undefined;
    return {
      name: `pg-boss work(), batchSize ${batchSize}`,
      throughputOnly,
      start: async (queue, concurrency, handle) => {
        boss = new PgBoss({ connectionString: database.url, schema: config.schema, max: Math.max(4, concurrency + 2) });
        boss.on('error', (error: Error) => log(`pg-boss error: ${error.message}`));
        await boss.start();
        // The same queue settings as the runner's (one at a time kept by the database at concurrency 1).
        await boss.createQueue(queue, { name: queue, policy: concurrency === 1 ? 'singleton' : 'standard', retryLimit: 2 } as PgBoss.Queue);
        for (let i = 0; i < concurrency; i += 1) {
          await boss.work<{ sentAt?: number }>(queue, { batchSize, pollingIntervalSeconds: PG_BOSS_MIN_POLLING_SECONDS }, async (jobs) => {
            for (const job of jobs) handle(job.data);
          });
        }
        return { stop: () => boss!.stop({ graceful: true, wait: true, timeout: 5_000 }) };
      },
      send: async (queue, data) => {
        await boss!.send(queue, data);
      },
    };
  };

  /** The floor: pg-boss's fetch() and complete() in `concurrency` loops with no wait between runs (what the runner's loops do without slots and claims). */
  const floorPeer: Peer = (() => {
    let boss: PgBoss | undefined;
    return {
      name: 'floor: pg-boss fetch() + complete() loops',
      throughputOnly: true,
      start: async (queue, concurrency, handle) => {
        boss = new PgBoss({ connectionString: database.url, schema: config.schema, max: Math.max(4, concurrency + 2) });
        boss.on('error', (error: Error) => log(`pg-boss error: ${error.message}`));
        await boss.start();
        await boss.createQueue(queue, { name: queue, policy: concurrency === 1 ? 'singleton' : 'standard', retryLimit: 2 } as PgBoss.Queue);
        let stopping = false;
        const loops = Array.from({ length: concurrency }, async () => {
          while (!stopping) {
            const [job] = await boss!.fetch<{ sentAt?: number }>(queue, { batchSize: 1 });
            if (!job) {
              await new Promise((resolve) => setTimeout(resolve, 50));
              continue;
            }
            handle(job.data);
            await boss!.complete(queue, job.id, {});
          }
        });
        return {
          stop: async () => {
            stopping = true;
            await Promise.all(loops);
            await boss!.stop({ graceful: true, wait: true, timeout: 5_000 });
          },
        };
      },
      send: async (queue, data) => {
        await boss!.send(queue, data);
      },
    };
  })();
  const peers: Peer[] = [runnerPeer, bossPeer(1), bossPeer(PG_BOSS_BATCH, true), floorPeer];
  const throughputRows: Cell[][] = [];
  const latencyRows: Cell[][] = [];
  const raw: Record<string, unknown>[] = [];
  try {
    for (const concurrency of options.connections) {
      for (const peer of peers) {
        const slug = peer.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
        // Throughput: a queue that never runs dry, drained.
        const probe: Probe = { starts: [], ends: [] };
        const queue = `bench.${slug}.c${concurrency}.throughput`;
        const consumer = await peer.start(queue, concurrency, () => {
          probe.starts.push(performance.now());
          probe.ends.push(performance.now());
        });
        // The queue is kept between half and all of BACKLOG runs: never dry, never so long that
        // each fetch (which sorts the waiting runs) measures the backlog rather than the consumer.
        let inserted = 0;
        let refilling: Promise<void> | undefined;
        const refill = () => {
          if (refilling || inserted - probe.ends.length > BACKLOG / 2) return;
          const count = BACKLOG - Math.max(0, inserted - probe.ends.length);
          inserted += count;
          refilling = fill(queue, count).finally(() => (refilling = undefined));
        };
        refill();
        const topUp = setInterval(refill, 10);
        const firstStart = await new Promise<number>((resolve) => {
          const check = setInterval(() => {
            if (probe.starts.length > 0) {
              clearInterval(check);
              resolve(probe.starts[0]!);
            }
          }, 5);
        });
        const windowStart = firstStart + warmupMs;
        const windowEnd = windowStart + measureMs;
        let ranDry = false;
        const dry = setInterval(() => {
          if (performance.now() >= windowStart && inserted - probe.ends.length <= 0) ranDry = true;
        }, 5);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, windowEnd - performance.now())));
        clearInterval(topUp);
        clearInterval(dry);
        await refilling;
        const completed = probe.ends.filter((end) => end >= windowStart && end < windowEnd).length;
        await consumer.stop();
        const jobsPerSecond = completed / (measureMs / 1000);
        throughputRows.push([peer.name, concurrency, completed, jobsPerSecond, ranDry ? 'yes' : 'no']);
        log(`${peer.name}, concurrency ${concurrency}: ${jobsPerSecond.toFixed(0)} jobs/s${ranDry ? ' (queue ran dry)' : ''}`);
        const result: Record<string, unknown> = {
          peer: peer.name,
          concurrency,
          throughput: { inserted, handled: probe.ends.length, completed, jobsPerSecond, ranDry },
        };

        if (!peer.throughputOnly) {
          // Latency: one run at a time to idle workers.
          const latency: { latencies: number[]; nextStart?: () => void } = { latencies: [] };
          const latencyQueue = `bench.${slug}.c${concurrency}.latency`;
          const latencyConsumer = await peer.start(latencyQueue, concurrency, (data) => {
            const now = performance.now();
            if (data?.sentAt !== undefined) latency.latencies.push(now - data.sentAt);
            latency.nextStart?.();
          });
          // The workers are idle (their first fetches done) before the first send.
          await new Promise((resolve) => setTimeout(resolve, options.smoke ? 200 : 1000));
          const until = performance.now() + measureMs;
          while (latency.latencies.length < latencySamples || performance.now() < until) {
            const started = new Promise<void>((resolve) => (latency.nextStart = resolve));
            await peer.send(latencyQueue, { sentAt: performance.now() });
            await started;
            // Let the run complete and the workers go idle again.
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await latencyConsumer.stop();
          const p50 = percentile(latency.latencies, 50);
          const p99 = percentile(latency.latencies, 99);
          const mean = latency.latencies.reduce((sum, value) => sum + value, 0) / latency.latencies.length;
          latencyRows.push([peer.name, concurrency, latency.latencies.length, p50, p99, mean, Math.max(...latency.latencies)]);
          result.latency = {
            samples: latency.latencies.length,
            p50Ms: p50,
            p99Ms: p99,
            meanMs: mean,
            maxMs: Math.max(...latency.latencies),
          };
          log(`${peer.name}, concurrency ${concurrency}: queue-to-start p50 ${p50?.toFixed(2)} ms`);
        }
        raw.push(result);
      }
    }
  } finally {
    await producer.stop({ graceful: false, wait: true, timeout: 2_000 }).catch(() => undefined);
    await database.drop();
  }

  return {
    scenario: 'jobs',
    comparison:
      'Runs of a no-op job per second through the job runner, as the worker starts it, against pg-boss’s own work() on the same database; and the time from sending a run to its handler starting, with idle workers.',
    tables: [
      {
        title: `Throughput (a queue kept at ${BACKLOG / 2}–${BACKLOG} waiting runs)`,
        table: { columns: ['consumer', 'concurrency', 'runs in window', 'jobs/s', 'queue ran dry'], rows: throughputRows },
      },
      {
        title: 'Queue-to-start latency (one run at a time, idle workers)',
        table: { columns: ['consumer', 'concurrency', 'samples', 'p50 ms', 'p99 ms', 'mean ms', 'max ms'], rows: latencyRows },
      },
    ],
    raw,
    notes: [
      `The runner polls every ${config.pollingIntervalSeconds} s (JOBS_POLLING_INTERVAL_SECONDS's default) and is woken by NOTIFY when a run is sent; pg-boss work() polls every ${PG_BOSS_MIN_POLLING_SECONDS} s, its shortest interval, and waits that long after every fetch, full or empty, so its throughput is about batchSize × workers / interval.`,
      'Each run of the runner takes a slot (an advisory lock on its worker session), fetches one run, records its claim, runs the handler, completes the run, deletes the claim and releases the slot: six statements where the floor (pg-boss fetch() and complete() in loops that never wait while there is work) has two.',
      'At concurrency 1 the queue has the singleton policy, as the runner creates it: one active run at a time, so a batch fetch returns one run.',
      'External reference, not run here: graphile-worker publishes an average of 4.16 ms (max 13.84 ms) from add_job to job start, and ~183,000 jobs/s with 24 concurrent jobs, batching and a local queue on a well-specced server (https://worker.graphile.org/docs/performance).',
    ],
  };
};
