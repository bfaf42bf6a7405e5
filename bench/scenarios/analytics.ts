/**
 * Analytics, in process, on a bench database.
 *
 * - Data: call records across 1,000 organizations over the last 60 days, written with COPY
 *   (BENCH_ANALYTICS_CALLS, default 1,000,000; the 10 million takes a quiet machine),
 *   a quarter as many AI usage events, the users seen; then refresh_analytics_views().
 * - organizationAnalytics (this month) for random organizations: from the materialized
 *   views (what the API runs) against the same figures aggregated from the base tables.
 * - A 30-day cost report per day: from daily_usage_summary against the base tables.
 * - Call-record ingest: 20 writers sending whole calls through CallRecordService (quality,
 *   outbox fact, users seen), in batches of 1 and 100.
 */
import { randomBytes } from 'node:crypto';
import { build } from 'hdr-histogram-js';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../platform/database';
import { loadConfig } from '../../platform/config';
import { createEventBus } from '../../platform/events';
import { createLogger } from '../../platform/logger';
import { isProcessAlive } from '../../platform/process-alive';
import { AnalyticsPeriod, analyticsSubgraph, createAnalyticsServices } from '../../subgraphs/analytics';
import type { AnalyticsServices } from '../../subgraphs/analytics';
import { copyRows, createBenchDatabase, dropStaleBenchDatabases } from '../data';
import type { Scenario } from '../options';
import type { Cell } from '../report';

const ORGANIZATIONS = 1_000;
const WRITERS = 20;
const CODECS = ['opus', 'pcmu', 'g729'];
const FEATURES = [
  ['stt', 'whisper-1'],
  ['tts', 'tts-1'],
  ['agents', 'gpt-4o-mini'],
] as const;

function principalOf(organizationId: string) {
  return { userId: 'user_bench', organizationId, sessionId: 'bench', expiresAt: new Date(Date.now() + 3_600_000) };
}

async function timed(
  samples: number,
  run: (index: number) => Promise<unknown>,
): Promise<{ p50: number; p95: number; p99: number; samples: number }> {
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  for (let index = 0; index < samples; index++) {
    const began = performance.now();
    await run(index);
    histogram.recordValue(Math.max(1, Math.round((performance.now() - began) * 1000)));
  }
  const ms = (percentile: number) => histogram.getValueAtPercentile(percentile) / 1000;
  return { p50: ms(50), p95: ms(95), p99: ms(99), samples };
}

export const analyticsScenario: Scenario = async (options, log) => {
  const calls = options.smoke ? 20_000 : Number(process.env.BENCH_ANALYTICS_CALLS ?? 1_000_000);
  const queries = options.smoke ? 20 : 300;
  const seconds = options.smoke ? 0.5 : Math.max(2, options.durationSeconds);
  const raw: Record<string, unknown> = { calls };
  await dropStaleBenchDatabases(isProcessAlive);
  const database = await createBenchDatabase({ organizations: 1, membersPerOrganization: 1, callers: 1 });
  const events = createEventBus(undefined, createLogger('silent'));
  let dataSource: DataSource | undefined;
  let services: AnalyticsServices | undefined;
  try {
    dataSource = await openDatabase(analyticsSubgraph.storage, {
      url: database.url,
      poolMax: WRITERS + 2,
      applicationName: 'bench-analytics',
    });
    const config = loadConfig({ NODE_ENV: 'test', SECRETS_KEY: randomBytes(32).toString('base64'), DATA_DIR: '.data/bench' });
    services = createAnalyticsServices({ dataSource, events, config });
    const organizations = Array.from({ length: ORGANIZATIONS }, (_, index) => `org_bench${String(index).padStart(4, '0')}`);
    const now = Date.now();
    const span = 60 * 86_400_000;

    let began = performance.now();
    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    try {
      await copyRows(
        pg,
        'analytics.call_records',
        [
          'organization_id',
          'call_id',
          'participants',
          'codec',
          'started_at',
          'ended_at',
          'billed_minutes',
          'rtt_ms',
          'jitter_ms',
          'packet_loss_percent',
          'speaking_seconds',
          'cost_micros',
          'r_factor',
          'mos',
          'quality',
          'degraded',
        ],
        (function* () {
          for (let index = 0; index < calls; index++) {
            const organization = organizations[index % ORGANIZATIONS]!;
            const started = now - Math.floor(Math.random() * span);
            const minutes = 1 + (index % 30);
            const rtt = 20 + (index % 400);
            const mos = 4.4 - (rtt / 1000) * 2;
            yield [
              organization,
              `call-${index}`,
              `{user_${index % 150},user_${(index * 7) % 150}}`,
              CODECS[index % 3]!,
              new Date(started).toISOString(),
              new Date(started + minutes * 60_000 - 5_000).toISOString(),
              String(minutes),
              String(rtt),
              String(index % 40),
              String((index % 50) / 10),
              String(index % 11 === 0 ? 0 : minutes * 30),
              String(minutes * 3_000),
              String(93 - rtt / 20),
              mos.toFixed(3),
              rtt > 300 ? 'medium' : 'best',
              rtt > 400 ? 't' : 'f',
            ];
          }
        })(),
      );
      await copyRows(
        pg,
        'analytics.ai_usage_events',
        ['organization_id', 'id', 'feature', 'model', 'user_id', 'tokens', 'cost_micros', 'occurred_at'],
        (function* () {
          for (let index = 0; index < calls / 4; index++) {
            const [feature, model] = FEATURES[index % 3]!;
            yield [
              organizations[index % ORGANIZATIONS]!,
              `ai-${index}`,
              feature,
              model,
              `user_${index % 150}`,
              '1000',
              String(600 + (index % 5000)),
              new Date(now - Math.floor(Math.random() * span)).toISOString(),
            ];
          }
        })(),
      );
    } finally {
      await pg.end();
    }
    await dataSource.query(
      `INSERT INTO analytics.organization_users (organization_id, user_id, first_seen_at, last_seen_at)
       SELECT organization_id, user_id, min(started_at), max(started_at)
         FROM (SELECT organization_id, unnest(participants) AS user_id, started_at FROM analytics.call_records) seen GROUP BY 1, 2`,
    );
    await dataSource.query('ANALYZE analytics.call_records; ANALYZE analytics.ai_usage_events');
    const loadSeconds = (performance.now() - began) / 1000;
    log(`loaded ${calls} calls and ${calls / 4} AI events in ${loadSeconds.toFixed(1)} s`);
    began = performance.now();
    await services.organizationAnalytics.refreshViews();
    const refreshSeconds = (performance.now() - began) / 1000;
    log(`refresh_analytics_views(): ${refreshSeconds.toFixed(1)} s`);
    raw.loadSeconds = loadSeconds;
    raw.refreshSeconds = refreshSeconds;

    const pick = (index: number) => organizations[(index * 7919) % ORGANIZATIONS]!;
    const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
    const views = await timed(queries, (index) =>
      services!.organizationAnalytics.forOrganization(principalOf(pick(index)), pick(index), AnalyticsPeriod.MONTHLY),
    );
    const base = await timed(queries, (index) =>
      dataSource!.query(
        `SELECT count(*), sum(billed_minutes), sum(cost_micros),
                (SELECT count(DISTINCT u) FROM analytics.call_records c, unnest(c.participants) u WHERE c.organization_id = $1 AND c.started_at >= $2),
                (SELECT sum(cost_micros) FROM analytics.ai_usage_events WHERE organization_id = $1 AND occurred_at >= $2)
           FROM analytics.call_records WHERE organization_id = $1 AND started_at >= $2`,
        [pick(index), monthStart],
      ),
    );
    const from = new Date(now - 30 * 86_400_000);
    const to = new Date(now);
    const report = await timed(queries, (index) =>
      services!.organizationAnalytics.costReport(principalOf(pick(index)), pick(index), from, to),
    );
    const reportBase = await timed(queries, (index) =>
      dataSource!.query(
        `SELECT day, sum(calls), sum(minutes), sum(cost) FROM (
           SELECT (started_at AT TIME ZONE 'UTC')::date AS day, 1 AS calls, billed_minutes AS minutes, cost_micros AS cost
             FROM analytics.call_records WHERE organization_id = $1 AND started_at >= $2 AND started_at < $3
           UNION ALL
           SELECT (occurred_at AT TIME ZONE 'UTC')::date, 0, 0, cost_micros FROM analytics.ai_usage_events
            WHERE organization_id = $1 AND occurred_at >= $2 AND occurred_at < $3) x GROUP BY day ORDER BY day`,
        [pick(index), from, to],
      ),
    );
    raw.organizationAnalytics = { views, base };
    raw.costReport = { views: report, base: reportBase };

    const ingest: Cell[][] = [];
    for (const batch of [1, 100]) {
      let sent = 0;
      let sequence = 0;
      const stopAt = performance.now() + seconds * 1000;
      const startedAt = performance.now();
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, writer) => {
          const organization = `org_ingest${writer}`;
          while (performance.now() < stopAt) {
            const records = Array.from({ length: batch }, () => {
              sequence++;
              return {
                callId: `in-${batch}-${sequence}`,
                participants: [`user_${sequence % 50}`, `user_${(sequence * 3) % 50}`],
                codec: 'opus',
                startedAt: new Date(now - 600_000),
                endedAt: new Date(now - 300_000),
                rttMs: 40 + (sequence % 100),
                jitterMs: sequence % 20,
                packetLossPercent: (sequence % 10) / 10,
              };
            });
            await services!.calls.recordCalls(principalOf(organization), records);
            sent += records.length;
          }
        }),
      );
      const elapsed = (performance.now() - startedAt) / 1000;
      ingest.push([`batches of ${batch}`, WRITERS, sent, Math.round(sent / elapsed)]);
      raw[`ingestBatch${batch}`] = { sent, seconds: elapsed };
      log(`ingest, batches of ${batch}: ${sent} calls in ${elapsed.toFixed(1)} s`);
    }

    return {
      scenario: 'analytics',
      comparison: `organizationAnalytics and a 30-day cost report over ${calls.toLocaleString('en')} call records and ${(calls / 4).toLocaleString('en')} AI events across ${ORGANIZATIONS} organizations, from the materialized views against the same figures aggregated from the base tables; and whole calls ingested per second.`,
      tables: [
        {
          title: 'Queries (ms, one at a time, random organizations)',
          table: {
            columns: ['query', 'source', 'samples', 'p50', 'p95', 'p99'],
            rows: [
              ['organizationAnalytics (month)', 'views', views.samples, views.p50, views.p95, views.p99],
              ['organizationAnalytics (month)', 'base tables', base.samples, base.p50, base.p95, base.p99],
              ['cost report (30 days)', 'views', report.samples, report.p50, report.p95, report.p99],
              ['cost report (30 days)', 'base tables', reportBase.samples, reportBase.p50, reportBase.p95, reportBase.p99],
            ],
          },
        },
        { title: 'Call-record ingest', table: { columns: ['calls', 'writers', 'sent', 'calls/s'], rows: ingest } },
        {
          title: 'Load and refresh (s)',
          table: {
            columns: ['step', 'seconds'],
            rows: [
              ['COPY and users seen', loadSeconds],
              ['refresh_analytics_views()', refreshSeconds],
            ],
          },
        },
      ],
      raw,
      notes: [
        'The views path is the service the API calls (organizationAnalytics, costReport), without HTTP; the base-table path is the aggregate the views hold, run at query time.',
        'Each ingested call is one transaction per batch: insert-or-ignore, quality (E-model), one usage.reported fact per call in the outbox, users seen.',
      ],
    };
  } finally {
    services?.liveMetrics.close();
    await dataSource?.destroy();
    await events.close();
    await database.drop();
  }
};
