/**
 * The edge, in one run, through one gateway process in front of the six subgraph processes:
 *
 * - REST shim versus GraphQL: `GET /api/v1/rbac/roles` against `POST /graphql` with the same
 *   manifest operation (`RestRoles`) and the same callers' tokens: what the shim adds
 *   (goal: ≤ 10% of throughput and p50).
 * - Safelisted by id versus full documents: `{"documentId": "<sha256>"}` against the
 *   operation's whole text, same operation and callers: the throughput ratio.
 */
import { isProcessAlive } from '../../platform/process-alive';
import { operationManifest } from '../../platform/operation-manifest';
import { createBenchDatabase, dropStaleBenchDatabases } from '../data';
import type { BenchDatabase } from '../data';
import { runHttpLoad } from '../load';
import type { HttpRequestSpec, LoadResult } from '../load';
import type { Scenario } from '../options';
import type { ServerProcess } from '../processes';
import type { Cell } from '../report';
import { buildProject, startGateway, startSubgraphs } from '../stack';

const OPERATION = 'RestRoles';
const REST_PATH = '/api/v1/rbac/roles';

type Way = 'rest' | 'graphql' | 'by id';
const WAYS: Way[] = ['rest', 'graphql', 'by id'];

interface Measurement {
  way: Way;
  connections: number;
  load: LoadResult;
}

function requestsFor(way: Way, database: BenchDatabase): HttpRequestSpec[] {
  const operation = operationManifest().operations.find((candidate) => candidate.name === OPERATION)!;
  return database.callers.map((caller): HttpRequestSpec => {
    const authorization = `Bearer ${caller.token}`;
    if (way === 'rest') return { method: 'GET', path: REST_PATH, headers: { authorization } };
    const body = way === 'by id' ? { documentId: operation.id } : { query: operation.body, operationName: operation.name };
    return { method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(body) };
  });
}

/** Each way answers, with the same roles, before its speed means anything. */
async function checkAnswersAgree(gateway: ServerProcess, database: BenchDatabase): Promise<void> {
  const answers = new Map<Way, string>();
  for (const way of WAYS) {
    const [request] = requestsFor(way, database);
    const response = await fetch(new URL(request!.path, gateway.url), {
      method: request!.method,
      headers: request!.headers,
      body: request!.body,
    });
    const text = await response.text();
    if (response.status !== 200 || text.includes('"errors"'))
      throw new Error(`${way} answered HTTP ${response.status}: ${text.slice(0, 1000)}`);
    const parsed = JSON.parse(text) as { data?: { roles: { id: string }[] } } | { id: string }[];
    const roles = Array.isArray(parsed) ? parsed : parsed.data!.roles;
    answers.set(way, roles.map((role) => role.id).join(','));
  }
  if (new Set(answers.values()).size !== 1) throw new Error(`the ways disagree: ${JSON.stringify(Object.fromEntries(answers))}`);
}

export const edgeScenario: Scenario = async (options, log) => {
  const size = options.smoke
    ? { organizations: 4, membersPerOrganization: 3, callers: 3 }
    : { organizations: 200, membersPerOrganization: 5, callers: 100 };
  log('compiling the project');
  await buildProject();
  await dropStaleBenchDatabases(isProcessAlive);
  const database = await createBenchDatabase(size);
  const cleanups: (() => Promise<void>)[] = [() => database.drop()];
  const measurements: Measurement[] = [];
  try {
    const subgraphs = await startSubgraphs(database);
    cleanups.unshift(() => subgraphs.stop());
    const gateway = await startGateway('ours', database, subgraphs);
    cleanups.unshift(() => gateway.stop());
    log(`gateway up at ${gateway.url} (pid ${gateway.pid})`);
    await checkAnswersAgree(gateway, database);

    for (const connections of options.connections) {
      const rounds: Measurement[][] = [];
      for (let round = 0; round < options.rounds; round += 1) {
        const runs: Measurement[] = [];
        // Interleaved, so a slower minute of the machine falls on every way alike.
        for (const way of WAYS) {
          const requests = requestsFor(way, database);
          await runHttpLoad(gateway.url, requests, { connections, durationSeconds: options.warmupSeconds });
          const load = await runHttpLoad(gateway.url, requests, { connections, durationSeconds: options.durationSeconds });
          runs.push({ way, connections, load });
          log(`${way} c=${connections}: ${load.throughput.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(2)} ms, errors ${load.errors}`);
        }
        rounds.push(runs);
      }
      // Per way, the round with the median throughput.
      measurements.push(
        ...WAYS.map((_, index) => {
          const sorted = rounds.map((runs) => runs[index]!).sort((a, b) => a.load.throughput - b.load.throughput);
          return sorted[Math.floor(sorted.length / 2)]!;
        }),
      );
    }
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  }

  const find = (way: Way, connections: number) => measurements.find((m) => m.way === way && m.connections === connections)!;
  const rows: Cell[][] = measurements.map((m) => {
    const graphql = find('graphql', m.connections);
    return [
      m.way,
      m.connections,
      Math.round(m.load.throughput),
      m.load.p50Ms,
      m.load.p99Ms,
      m.load.errors,
      m.way === 'graphql' ? null : m.load.throughput / graphql.load.throughput,
      m.way === 'rest' ? (graphql.load.throughput / m.load.throughput - 1) * 100 : null,
      m.way === 'rest' ? ((m.load.p50Ms - graphql.load.p50Ms) / graphql.load.p50Ms) * 100 : null,
    ];
  });
  return {
    scenario: 'edge',
    comparison: [
      `One manifest operation (\`${OPERATION}\`: the organization's roles) through our gateway three ways, in the same run:`,
      `**rest** is \`GET ${REST_PATH}\` through the REST shim, **graphql** the operation's document posted to \`/graphql\`,`,
      '**by id** its manifest id alone (`{"documentId": …}`, as a partner sends it). `× graphql` is throughput over the full document;',
      '`REST overhead %` is the throughput the shim costs (goal ≤ 10%) and `REST +p50 %` the latency it adds.',
    ].join(' '),
    tables: [
      {
        title: 'Results',
        table: {
          columns: ['way', 'conns', 'req/s', 'p50 ms', 'p99 ms', 'errors', '× graphql', 'REST overhead %', 'REST +p50 %'],
          rows,
        },
      },
    ],
    raw: { data: database.rows, measurements },
    notes: [
      `Requests rotate over ${database.callers.length} callers' session tokens; every answer is checked to list the same roles first.`,
      'With a session token the REST shim, a full document and an id all take the fast path (platform/lean-execution.ts); the shim adds the route match, the variables from the path and query string, and the answer in REST names.',
      `Each run: ${options.warmupSeconds} s warm-up, then ${options.durationSeconds} s measured${options.rounds > 1 ? `, median of ${options.rounds} interleaved rounds` : ''}.`,
    ],
  };
};
