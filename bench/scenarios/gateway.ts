/**
 * The gateway, three ways, in one run: the same queries sent straight to the subgraphs
 * (the floor), through Hive Gateway, and through ours, in front of the same subgraph
 * processes. Ratios compare ours with Hive Gateway (≥ 1.0 is the goal) and p50 with the
 * floor (what the gateway adds).
 */
import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../../platform/process-alive';
import { createBenchDatabase, dropStaleBenchDatabases } from '../data';
import type { BenchDatabase, Caller } from '../data';
import { createFetchRecorder } from '../fetch-recorder';
import { runHttpLoad, runReplayLoad } from '../load';
import type { FetchWaves, HttpRequestSpec, LoadResult } from '../load';
import type { RunOptions, Scenario } from '../options';
import { watchUsage } from '../processes';
import type { ServerProcess, UsageReport } from '../processes';
import type { Cell, ScenarioReport } from '../report';
import { ROOT, buildProject, startGateway, startSubgraphs } from '../stack';
import type { GatewayKind, Subgraphs } from '../stack';

interface BenchQuery {
  name: string;
  description: string;
  query: string;
  variables(caller: Caller): Record<string, unknown> | undefined;
}

export const GATEWAY_QUERIES: BenchQuery[] = [
  {
    name: 'me',
    description: 'small: the caller (identity)',
    query: 'query Me { me { id email name } }',
    variables: () => undefined,
  },
  {
    name: 'organization',
    description: 'the organisation slice: members and their users (identity), subscription and plan (billing)',
    query: `query OrganizationOverview($id: ID!) {
  organization(id: $id) {
    id name slug
    members { id status joinedAt user { id email name } }
    subscription { id status interval currentPeriodEnd plan { code name monthlyPriceCents includedMinutes includedAiCalls } }
  }
}`,
    variables: (caller) => ({ id: caller.organizationId }),
  },
  {
    name: 'nested',
    description:
      'heavy: your organizations and their plans, the members of yours with their memberships and plans (identity, billing), and the health of all six subgraphs',
    query: `query Nested($id: ID!) {
  me {
    id
    memberships { organization { name subscription { plan { name } } } }
  }
  organization(id: $id) {
    name
    subscription { plan { name } }
    members { user { email memberships { organization { slug subscription { status } } } } }
  }
  health {
    identity { status } authz { status } audit { status } billing { status } compliance { status } analytics { status }
  }
}`,
    variables: (caller) => ({ id: caller.organizationId }),
  },
];

type Peer = 'floor' | GatewayKind;
const PEERS: Peer[] = ['floor', 'hive', 'ours'];

interface Measurement {
  query: string;
  peer: Peer;
  workers: number;
  connections: number;
  load: LoadResult;
  gateway: UsageReport | null;
  subgraphs: UsageReport;
}

export const gatewayScenario: Scenario = async (options, log) => {
  const size = options.smoke
    ? { organizations: 4, membersPerOrganization: 3, callers: 3 }
    : { organizations: 1000, membersPerOrganization: 10, callers: 100 };
  const queries = GATEWAY_QUERIES.filter((q) => !options.queries || options.queries.includes(q.name));
  const peers = PEERS.filter((peer) => !options.peers || options.peers.includes(peer));

  log('compiling the project');
  await buildProject();
  await dropStaleBenchDatabases(isProcessAlive);
  log(`creating the database (${size.organizations} organizations × ${size.membersPerOrganization} members)`);
  const database = await createBenchDatabase(size);
  const cleanups: (() => Promise<void>)[] = [() => database.drop()];
  const measurements: Measurement[] = [];
  try {
    log(`data: ${JSON.stringify(database.rows)}`);
    const subgraphs = await startSubgraphs(database);
    cleanups.unshift(() => subgraphs.stop());
    log(`subgraphs up: ${subgraphs.processes.map((p) => `${p.name} (pid ${p.pid})`).join(', ')}`);

    const plans = await recordPlans(queries, database.callers, subgraphs);
    for (const query of queries) {
      log(
        `${query.name}: ${plans
          .get(query.name)![0]!
          .map((wave) => wave.length)
          .join(' then ')} subgraph fetch(es) per query`,
      );
    }

    for (const workers of options.workers) {
      const gateways = new Map<GatewayKind, ServerProcess>();
      for (const kind of ['hive', 'ours'] as const) {
        if (!peers.includes(kind)) continue;
        const nodeArgs = kind === 'ours' && options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
        const server = await startGateway(kind, database, subgraphs, { workers, nodeArgs });
        gateways.set(kind, server);
        cleanups.unshift(() => server.stop());
        log(`${server.name} gateway up at ${server.url} (pid ${server.pid})`);
      }
      await checkAnswersAgree(queries, database, gateways, plans);

      for (const query of queries) {
        for (const connections of options.connections) {
          const rounds: Measurement[][] = [];
          for (let round = 0; round < options.rounds; round += 1) {
            const runs: Measurement[] = [];
            for (const peer of peers) {
              if (peer === 'floor' && workers !== options.workers[0]) continue;
              const run = (seconds: number) =>
                measure(peer, query, connections, database, plans.get(query.name)!, gateways, subgraphs, seconds);
              await run(options.warmupSeconds);
              const result = await run(options.durationSeconds);
              const measurement = { query: query.name, peer, workers, connections, ...result };
              runs.push(measurement);
              log(
                `${query.name} c=${connections} ${peer}${workers > 1 ? ` ×${workers}` : ''}: ${result.load.throughput.toFixed(0)} req/s, p50 ${result.load.p50Ms.toFixed(2)} ms, errors ${result.load.errors}`,
              );
            }
            rounds.push(runs);
          }
          measurements.push(...medianRuns(rounds));
        }
      }
      for (const server of gateways.values()) await server.stop();
    }
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  }
  return report(queries, measurements, options, database);
};

/** For each query and caller, the subgraph fetches the plan makes, checked to answer without errors. */
async function recordPlans(queries: BenchQuery[], callers: Caller[], subgraphs: Subgraphs): Promise<Map<string, FetchWaves[]>> {
  const recorder = await createFetchRecorder(readFileSync(path.join(ROOT, 'schema', 'supergraph.graphql'), 'utf8'), subgraphs.urls);
  const plans = new Map<string, FetchWaves[]>();
  try {
    for (const query of queries) {
      const perCaller: FetchWaves[] = [];
      for (const caller of callers) {
        const recorded = await recorder.record(query.query, caller.token, query.variables(caller));
        if (recorded.errors || !recorded.data) {
          throw new Error(`${query.name} for ${caller.userId} answered with errors: ${JSON.stringify(recorded.errors)}`);
        }
        perCaller.push(recorded.waves);
      }
      plans.set(query.name, perCaller);
    }
  } finally {
    await recorder.stop();
  }
  return plans;
}

function requestsFor(query: BenchQuery, callers: Caller[]): HttpRequestSpec[] {
  return callers.map((caller) => ({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${caller.token}` },
    body: JSON.stringify({ query: query.query, variables: query.variables(caller) }),
  }));
}

/** Both gateways must give the same answer as the in-process reference before their speed means anything. */
async function checkAnswersAgree(
  queries: BenchQuery[],
  database: BenchDatabase,
  gateways: Map<GatewayKind, ServerProcess>,
  _plans: Map<string, FetchWaves[]>,
): Promise<void> {
  for (const query of queries) {
    const [first] = requestsFor(query, database.callers.slice(0, 1));
    const bodies = new Map<string, unknown>();
    for (const [kind, server] of gateways) {
      const response = await fetch(server.url, { method: 'POST', headers: first!.headers, body: first!.body });
      const body = (await response.json()) as { data?: unknown; errors?: unknown };
      if (response.status !== 200 || body.errors || !body.data) {
        throw new Error(`${kind} answered ${query.name} with HTTP ${response.status}: ${JSON.stringify(body).slice(0, 1000)}`);
      }
      bodies.set(kind, body.data);
    }
    const answers = [...bodies.values()];
    if (answers.some((answer) => !isDeepStrictEqual(answer, answers[0]))) {
      throw new Error(`the gateways disagree on ${query.name}: ${JSON.stringify(Object.fromEntries(bodies)).slice(0, 2000)}`);
    }
  }
}

async function measure(
  peer: Peer,
  query: BenchQuery,
  connections: number,
  database: BenchDatabase,
  plans: FetchWaves[],
  gateways: Map<GatewayKind, ServerProcess>,
  subgraphs: Subgraphs,
  durationSeconds: number,
): Promise<{ load: LoadResult; gateway: UsageReport | null; subgraphs: UsageReport }> {
  const gateway = peer === 'floor' ? undefined : gateways.get(peer);
  const gatewayUsage = gateway ? watchUsage([gateway.pid]) : undefined;
  const subgraphUsage = watchUsage(subgraphs.processes.map((p) => p.pid));
  const load = gateway
    ? await runHttpLoad(gateway.url, requestsFor(query, database.callers), { connections, durationSeconds })
    : await runReplayLoad(plans, { connections, durationSeconds });
  return { load, gateway: gatewayUsage?.stop() ?? null, subgraphs: subgraphUsage.stop() };
}

/** Per peer, the round with the median throughput. */
function medianRuns(rounds: Measurement[][]): Measurement[] {
  if (rounds.length === 1) return rounds[0]!;
  return rounds[0]!.map((_, i) => {
    const sorted = rounds.map((runs) => runs[i]!).sort((a, b) => a.load.throughput - b.load.throughput);
    return sorted[Math.floor(sorted.length / 2)]!;
  });
}

function report(queries: BenchQuery[], measurements: Measurement[], options: RunOptions, database: BenchDatabase): ScenarioReport {
  const find = (m: Measurement, peer: Peer, workers = m.workers) =>
    measurements.find((o) => o.query === m.query && o.connections === m.connections && o.peer === peer && o.workers === workers);
  const rows: Cell[][] = measurements.map((m) => {
    const hive = find(m, 'hive');
    const floor = find(m, 'floor', options.workers[0]);
    const mb = (bytes: number) => bytes / 2 ** 20;
    return [
      m.query,
      m.workers > 1 ? `${m.peer} ×${m.workers}` : m.peer,
      m.connections,
      Math.round(m.load.throughput),
      m.load.p50Ms,
      m.load.p95Ms,
      m.load.p99Ms,
      m.load.errors,
      m.gateway ? m.gateway.cores : null,
      m.gateway && m.load.requests > 0 ? (m.gateway.cpuSeconds * 1000) / m.load.requests : null,
      m.gateway ? Math.round(mb(m.gateway.peakRssBytes)) : null,
      m.subgraphs.cores,
      hive && m.peer === 'ours' ? m.load.throughput / hive.load.throughput : null,
      floor && m.peer !== 'floor' ? m.load.throughput / floor.load.throughput : null,
      floor && m.peer !== 'floor' ? m.load.p50Ms - floor.load.p50Ms : null,
    ];
  });
  return {
    scenario: 'gateway',
    comparison: [
      'The same queries, in the same run, in front of the same six subgraph processes:',
      "**floor** sends each query's subgraph fetches straight to the subgraphs (wave by wave, as the query plan orders them);",
      '**hive** is Hive Gateway (`hive-gateway supergraph`) on the committed supergraph; **ours** is `gateway/server.ts`.',
      "`× hive` is throughput over Hive Gateway's (goal ≥ 1.0); `+p50` is the p50 added over the floor (goal ≤ 1.5 ms).",
    ].join(' '),
    tables: [
      {
        title: 'Results',
        table: {
          columns: [
            'query',
            'peer',
            'conns',
            'req/s',
            'p50 ms',
            'p95 ms',
            'p99 ms',
            'errors',
            'gw CPU (cores)',
            'gw CPU ms/req',
            'gw peak RSS MB',
            'subgraphs CPU (cores)',
            '× hive',
            '× floor',
            '+p50 ms',
          ],
          rows,
        },
      },
    ],
    raw: { data: database.rows, measurements },
    notes: [
      ...queries.map((q) => `\`${q.name}\`: ${q.description}.`),
      `Data: ${database.rows.organizations} organizations, ${database.rows.users} users, ${database.rows.members} memberships; requests rotate over ${database.callers.length} callers' tokens.`,
      `Each run: ${options.warmupSeconds} s warm-up, then ${options.durationSeconds} s measured${options.rounds > 1 ? `, median of ${options.rounds} interleaved rounds` : ''}.`,
    ],
  };
}
