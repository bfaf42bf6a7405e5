/**
 * Audit, in process, against a migrated bench database.
 *
 * - Ingest: 50 concurrent writers call `IngestService.record` (what `recordAuditEvents`
 *   runs) in batches of 1, 10 and 100 (BENCH_AUDIT_BATCHES), over 20 organizations: events
 *   committed per second and the acknowledgement latency of each call (it resolves after
 *   COMMIT). Then facts arriving from the outbox: the audit consumer applying billing facts, 8
 *   at a time, each in its own transaction; and facts published into Redis Streams
 *   (BENCH_REDIS_URL) read by the audit consumer group, from publish to commit.
 * - A large table: one organization's events generated with COPY (1,000,000 rows over 60
 *   days, three month partitions; BENCH_AUDIT_EVENTS=10000000 for ten million, 0 to leave the
 *   table, the pages and the export out; 20,000 with --smoke), then filtered first pages as
 *   `auditLogs` reads them.
 * - CSV exports through the streaming export (PostgreSQL's COPY … TO STDOUT, read as fast as
 *   the receiver takes it) of all of that table and of its newest tenth: time and the
 *   process's peak RSS and heap above where each started, so the two sizes show whether memory
 *   grows with the row count.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { build } from 'hdr-histogram-js';
import Redis from 'ioredis';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openDatabase } from '../../platform/database';
import { loadConfig } from '../../platform/config';
import { newId } from '../../platform/ids';
import { createLogger } from '../../platform/logger';
import { applyOnce } from '../../platform/outbox/consumer';
import { Messaging } from '../../platform/outbox/messaging';
import { RedisStreamTransport } from '../../platform/outbox/redis-stream-transport';
import type { AnyEvent } from '../../platform/outbox/event-catalogue';
import { auditSubgraph, createAuditServices, ensurePartitions } from '../../subgraphs/audit';
import { createBenchDatabase, dropStaleBenchDatabases } from '../data';
import { BENCH_REDIS_URL } from '../environment';
import { isProcessAlive } from '../../platform/process-alive';
import type { Scenario } from '../options';
import type { Cell } from '../report';

const WRITERS = 50;
const ORGANIZATIONS = 20;
const ACTIONS = [
  'billing.subscription.cancel',
  'billing.invoice.issue',
  'identity.member.add',
  'identity.login.failed',
  'authz.permission.deny',
  'audit.logs.exported',
];
const SEVERITIES = ['info', 'info', 'info', 'warning', 'error', 'critical'];

/** BENCH_AUDIT_BATCHES=1,10 for some of the ingest batch sizes. */
function ingestBatches(): number[] {
  const given = process.env.BENCH_AUDIT_BATCHES;
  if (!given) return [1, 10, 100];
  return given.split(',').map((part) => {
    const size = Number(part);
    if (!Number.isInteger(size) || size < 1 || size > 1000) throw new Error(`BENCH_AUDIT_BATCHES: sizes 1 to 1000, got "${part}"`);
    return size;
  });
}

function largeTableRows(given: string | undefined): number {
  if (given === undefined || given === '') return 1_000_000;
  const rows = Number(given);
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`BENCH_AUDIT_EVENTS: a whole number of events, got "${given}"`);
  return rows;
}

const histogram = () => build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });

export const auditScenario: Scenario = async (options, log) => {
  const seconds = options.smoke ? 0.5 : Math.max(2, options.durationSeconds);
  const largeRows = options.smoke ? 20_000 : largeTableRows(process.env.BENCH_AUDIT_EVENTS);
  const raw: Record<string, unknown> = {};
  await dropStaleBenchDatabases(isProcessAlive);
  const database = await createBenchDatabase({ organizations: 1, membersPerOrganization: 1, callers: 1 });
  const dataSource = await openDatabase(auditSubgraph.storage, { url: database.url, poolMax: 20, applicationName: 'bench-audit' });
  const config = loadConfig({ NODE_ENV: 'test', SECRETS_KEY: randomBytes(32).toString('base64'), DATA_DIR: '.data/bench' });
  const services = createAuditServices({ dataSource, config });
  const ingestRows: Cell[][] = [];
  const pageRows: Cell[][] = [];
  const exportRows: Cell[][] = [];
  try {
    // Ingest through the API path.
    const organizations = Array.from({ length: ORGANIZATIONS }, () => newId('organization'));
    for (const batch of ingestBatches()) {
      const latency = histogram();
      let committed = 0;
      let call = 0;
      const stopAt = performance.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (performance.now() < stopAt) {
            call++;
            const organizationId = organizations[call % ORGANIZATIONS]!;
            const events = Array.from({ length: batch }, (_, i) => ({
              organizationId,
              actor: { type: 'user' as const, id: `user_${i % 10}`, displayName: null },
              action: ACTIONS[i % ACTIONS.length]!,
              severity: 'info' as const,
              outcome: 'success' as const,
              targets: [{ type: 'organization', id: organizationId }],
              source: 'bench',
              occurredAt: new Date(),
            }));
            const began = performance.now();
            await services.ingest.record(events);
            latency.recordValue(Math.max(1, Math.round((performance.now() - began) * 1000)));
            committed += batch;
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      const figures = {
        committed,
        seconds: elapsed,
        eventsPerSecond: Math.round(committed / elapsed),
        ackP50Ms: latency.getValueAtPercentile(50) / 1000,
        ackP99Ms: latency.getValueAtPercentile(99) / 1000,
      };
      raw[`ingestBatch${batch}`] = figures;
      ingestRows.push([
        `recordAuditEvents, batches of ${batch}`,
        WRITERS,
        committed,
        figures.eventsPerSecond,
        figures.ackP50Ms,
        figures.ackP99Ms,
      ]);
      log(`ingest, batches of ${batch}: ${JSON.stringify(figures)}`);
    }
    for (const organizationId of organizations) {
      const verification = await services.verification.verify(organizationId, null, null);
      if (!verification.valid) throw new Error(`chain of ${organizationId} broken after the ingest run: ${verification.problem?.message}`);
    }

    // Facts from the outbox: the audit consumer, each fact in its own transaction with its inbox row.
    const consumer = auditSubgraph.consumers!(services)[0]!;
    const factCount = options.smoke ? 200 : 5_000;
    const facts: AnyEvent[] = Array.from({ length: factCount }, (_, index) => ({
      id: newId('event'),
      type: 'billing.invoice.paid',
      source: 'billing',
      sequence: index,
      occurredAt: new Date(),
      payload: { organizationId: organizations[index % ORGANIZATIONS]!, invoiceId: `inv_${index}` },
    }));
    const factLatency = histogram();
    const factsStarted = performance.now();
    let nextFact = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (nextFact < facts.length) {
          const fact = facts[nextFact++]!;
          const began = performance.now();
          await applyOnce(dataSource, consumer, fact);
          factLatency.recordValue(Math.max(1, Math.round((performance.now() - began) * 1000)));
        }
      }),
    );
    const factSeconds = (performance.now() - factsStarted) / 1000;
    raw.outboxFacts = { facts: factCount, seconds: factSeconds, eventsPerSecond: Math.round(factCount / factSeconds) };
    ingestRows.push([
      'outbox facts through the audit consumer',
      8,
      factCount,
      Math.round(factCount / factSeconds),
      factLatency.getValueAtPercentile(50) / 1000,
      factLatency.getValueAtPercentile(99) / 1000,
    ]);

    // Facts through Redis Streams, as across processes: published in batches of 100 (what a relay
    // publishes), read by the audit consumer group; from publish to the commit of its audit event.
    {
      const redisUrl = BENCH_REDIS_URL;
      const prefix = `auralink-bench:${process.pid}:${randomBytes(3).toString('hex')}`;
      const logger = createLogger('silent');
      const transport = new RedisStreamTransport(redisUrl, { prefix, retentionMs: 3_600_000, blockMs: 200 }, logger);
      const messaging = new Messaging(transport, { streamPrefix: prefix, retentionMs: 3_600_000, testPause: undefined }, logger);
      const streamFacts = options.smoke ? 500 : 20_000;
      const published = new Map<string, number>();
      const streamLatency = histogram();
      let streamCommitted = 0;
      let allCommitted!: () => void;
      const done = new Promise<void>((resolve) => (allCommitted = resolve));
      services.ingest.onCommitted((events) => {
        const now = performance.now();
        for (const event of events) {
          const at = published.get(event.id);
          if (at === undefined) continue;
          streamLatency.recordValue(Math.max(1, Math.round((now - at) * 1000)));
          if (++streamCommitted === streamFacts) allCommitted();
        }
      });
      try {
        messaging.registerConsumer(consumer, dataSource);
        await messaging.start();
        const streamStarted = performance.now();
        // Publishers as fast as Redis takes them, 4 relays' worth at once.
        let nextStreamFact = 0;
        await Promise.all(
          Array.from({ length: 4 }, async () => {
            while (nextStreamFact < streamFacts) {
              const batch = Array.from({ length: Math.min(100, streamFacts - nextStreamFact) }, () => {
                const index = nextStreamFact++;
                return {
                  id: newId('event'),
                  type: 'billing.invoice.paid' as const,
                  source: 'billing',
                  sequence: index,
                  occurredAt: new Date(),
                  payload: { organizationId: organizations[index % ORGANIZATIONS]!, invoiceId: `inv_s${index}` },
                };
              });
              const at = performance.now();
              for (const fact of batch) published.set(`aud_${fact.id.slice(4)}`, at);
              await transport.publish(batch);
            }
          }),
        );
        const publishSeconds = (performance.now() - streamStarted) / 1000;
        await done;
        const streamSeconds = (performance.now() - streamStarted) / 1000;
        raw.streamFacts = {
          facts: streamFacts,
          publishSeconds,
          seconds: streamSeconds,
          eventsPerSecond: Math.round(streamFacts / streamSeconds),
          p50Ms: streamLatency.getValueAtPercentile(50) / 1000,
          p99Ms: streamLatency.getValueAtPercentile(99) / 1000,
        };
        log(`stream facts: ${JSON.stringify(raw.streamFacts)}`);
        ingestRows.push([
          'outbox facts through Redis Streams (publish → commit)',
          1,
          streamFacts,
          Math.round(streamFacts / streamSeconds),
          streamLatency.getValueAtPercentile(50) / 1000,
          streamLatency.getValueAtPercentile(99) / 1000,
        ]);
      } finally {
        await messaging.close();
        const redis = new Redis(redisUrl);
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
      }
    }

    if (largeRows > 0) {
      // A large organization, generated with COPY.
      const large = newId('organization');
      const now = Date.now();
      const span = 60 * 86_400_000;
      await ensurePartitions(dataSource, new Date(now), new Date(now - span));
      const generated = performance.now();
      const client = new Client({ connectionString: database.url });
      await client.connect();
      try {
        const hash = '0'.repeat(64);
        const lines = (function* () {
          for (let sequence = 1; sequence <= largeRows; sequence++) {
            const recordedAt = new Date(now - span + Math.floor((sequence / largeRows) * span)).toISOString();
            const action = ACTIONS[sequence % ACTIONS.length]!;
            yield `${large}\t${sequence}\taud_L${sequence}\tuser\tuser_${sequence % 500}\tMember ${sequence % 500}\t${action}\t${SEVERITIES[sequence % SEVERITIES.length]}\t${sequence % 97 === 0 ? 'denied' : 'success'}\t[{"type":"organization","id":"${large}"}]\tbench\t${recordedAt}\t${recordedAt}\t${hash}\t${hash}\n`;
          }
        })();
        await pipeline(
          Readable.from(lines),
          client.query(
            copyFrom(
              'COPY audit.events (organization_id, sequence, id, actor_type, actor_id, actor_name, action, severity, outcome, targets, source, occurred_at, recorded_at, previous_hash, hash) FROM STDIN',
            ),
          ),
        );
        await client.query('ANALYZE audit.events');
      } finally {
        await client.end();
      }
      const copySeconds = (performance.now() - generated) / 1000;
      raw.largeTable = { rows: largeRows, copySeconds };
      log(`generated ${largeRows} events with COPY in ${copySeconds.toFixed(1)} s`);

      const principal = { userId: 'user_bench', organizationId: large, sessionId: 'bench', expiresAt: new Date(now + 3_600_000) };
      const filters: [string, object][] = [
        ['no filter', {}],
        ['actionPrefix "billing."', { actionPrefix: 'billing.' }],
        ['actorId (1 in 500)', { actorId: 'user_7' }],
        ['severity critical + last 7 days', { severities: ['critical'], from: new Date(now - 7 * 86_400_000) }],
        ['outcome denied (1 in 97)', { outcomes: ['denied'] }],
        ['search "login"', { search: 'login' }],
        ['search with no match', { search: 'no-such-text' }],
      ];
      const runs = options.smoke ? 5 : 100;
      for (const [name, filter] of filters) {
        const latency = histogram();
        let cursor: string | null = null;
        for (let run = 0; run < runs; run++) {
          const began = performance.now();
          // Every fifth run reads the page after the previous one: keyset pages stay as cheap deeper in.
          const page = await services.logs.page(principal, large, filter, 50, run % 5 === 0 ? null : cursor);
          latency.recordValue(Math.max(1, Math.round((performance.now() - began) * 1000)));
          cursor = page.endCursor;
        }
        const figures = { p50Ms: latency.getValueAtPercentile(50) / 1000, p95Ms: latency.getValueAtPercentile(95) / 1000 };
        raw[`page ${name}`] = figures;
        pageRows.push([name, runs, figures.p50Ms, figures.p95Ms]);
      }

      // CSV through the streaming export, into a sink that discards it: all of it (before its own
      // `audit.logs.exported` event is in the log), then the newest tenth.
      const exports: [string, string, object][] = [
        ['export', 'CSV, whole organization', {}],
        ['exportNewestTenth', 'CSV, newest tenth (filter.from)', { from: new Date(now - span / 10) }],
      ];
      for (const [key, name, filter] of exports) {
        const baseline = process.memoryUsage().rss;
        const heapBaseline = process.memoryUsage().heapUsed;
        let peak = baseline;
        let heapPeak = heapBaseline;
        const sample = () => {
          const memory = process.memoryUsage();
          peak = Math.max(peak, memory.rss);
          heapPeak = Math.max(heapPeak, memory.heapUsed);
        };
        const sampler = setInterval(sample, 20);
        let bytes = 0;
        const exportStarted = performance.now();
        const grant = { organizationId: large, userId: 'user_bench', format: 'csv' as const, filter, expiresAt: new Date(now + 3_600_000) };
        const rows = await services.exports.stream(grant, async (chunk) => {
          bytes += Buffer.byteLength(chunk);
          sample();
        });
        clearInterval(sampler);
        const exportSeconds = (performance.now() - exportStarted) / 1000;
        raw[key] = {
          rows,
          bytes,
          seconds: exportSeconds,
          baselineRssMb: baseline / 1e6,
          peakRssMb: peak / 1e6,
          baselineHeapMb: heapBaseline / 1e6,
          peakHeapMb: heapPeak / 1e6,
        };
        exportRows.push([
          name,
          rows,
          Math.round(bytes / 1e6),
          exportSeconds.toFixed(1),
          Math.round(rows / exportSeconds),
          Math.round(baseline / 1e6),
          Math.round(peak / 1e6),
          Math.round((peak - baseline) / 1e6),
          Math.round(heapBaseline / 1e6),
          Math.round(heapPeak / 1e6),
        ]);
      }
    }
  } finally {
    await services.securityEvents.settled();
    await dataSource.destroy();
    await database.drop();
  }
  return {
    scenario: 'audit',
    comparison:
      'Events committed per second and acknowledgement latency for 50 concurrent writers through the ingest the recordAuditEvents mutation runs, and for outbox facts through the audit consumer; filtered first pages over one large organization; CSV exports of a tenth and of all of it: time and peak memory.',
    tables: [
      { title: 'Ingest', table: { columns: ['path', 'writers', 'events', 'events/s', 'ack p50 ms', 'ack p99 ms'], rows: ingestRows } },
      {
        title: `auditLogs first pages (50 events) over ${largeRows} events`,
        table: { columns: ['filter', 'runs', 'p50 ms', 'p95 ms'], rows: pageRows },
      },
      {
        title: 'Export',
        table: {
          columns: [
            'export',
            'rows',
            'MB',
            'seconds',
            'rows/s',
            'RSS before MB',
            'peak RSS MB',
            'peak − before MB',
            'heap before MB',
            'peak heap MB',
          ],
          rows: exportRows,
        },
      },
    ],
    raw,
    notes: [
      'Concurrent ingest calls share transactions (group commit): each group locks the chain heads of its organizations, reads them with the ids recorded before, writes ids, events and heads in one statement, then COMMIT; every caller is answered after it.',
      'Outbox facts 8 at a time: each its own transaction with its inbox row (applyOnce, platform/outbox/consumer.ts). Through Redis Streams: each read of the streams one transaction (applyBatch), acknowledged after its commit; latency is from publish, so it includes the backlog.',
      'The large table is generated with COPY without valid hashes (the page queries and the export do not read them); the ingest runs before it verify their chains.',
    ],
  };
};
