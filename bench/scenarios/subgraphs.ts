/**
 * One subgraph request against its physical floor: identity's `me` and authz's
 * `checkPermission` sent straight to their subgraph processes, beside a node:http server
 * doing the one primary-key query `me` needs (bench/peers/floor-server.ts), in the same run.
 * CPU per request is the serving process's CPU time over the requests it answered.
 */
import path from 'node:path';
import { isProcessAlive } from '../../platform/process-alive';
import { createBenchDatabase, dropStaleBenchDatabases } from '../data';
import { runHttpLoad } from '../load';
import type { HttpRequestSpec, LoadResult } from '../load';
import type { Scenario } from '../options';
import { freePort, spawnServer, watchUsage } from '../processes';
import type { ServerProcess } from '../processes';
import type { Cell } from '../report';
import { BUILD_DIR, ROOT, buildProject, startSubgraphs } from '../stack';

const ME = 'query Me { me { id email name } }';
const CHECK = 'query Check($userId: ID!) { checkPermission(userId: $userId, resource: "billing", action: "update") { allowed } }';

export const subgraphsScenario: Scenario = async (options, log) => {
  const size = options.smoke
    ? { organizations: 3, membersPerOrganization: 3, callers: 3 }
    : { organizations: 100, membersPerOrganization: 100, callers: 100 };
  log('compiling the project');
  await buildProject();
  await dropStaleBenchDatabases(isProcessAlive);
  const database = await createBenchDatabase(size);
  const cleanups: (() => Promise<void>)[] = [() => database.drop()];
  try {
    const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
    const subgraphs = await startSubgraphs(database, { nodeArgs });
    cleanups.unshift(() => subgraphs.stop());
    const floorPort = await freePort();
    const floor = await spawnServer({
      name: 'floor',
      args: [path.join(BUILD_DIR, 'bench', 'peers', 'floor-server.js')],
      env: { PATH: process.env.PATH, DATABASE_URL: database.url, FLOOR_PORT: String(floorPort) },
      cwd: ROOT,
      readyUrl: `http://127.0.0.1:${floorPort}/`,
      url: `http://127.0.0.1:${floorPort}/graphql`,
    });
    cleanups.unshift(() => floor.stop());
    const serverOf = (name: string): ServerProcess => subgraphs.processes.find((server) => server.name === name)!;

    // The floor reads the caller from the variables: it checks no token.
    const requestsFor = (query: string, withVariables: boolean): HttpRequestSpec[] =>
      database.callers.map((caller) => ({
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${caller.token}` },
        body: JSON.stringify(withVariables ? { query, variables: { userId: caller.userId } } : { query }),
      }));
    const peers: { name: string; url: string; server: ServerProcess; requests: HttpRequestSpec[] }[] = [
      { name: 'floor (node:http + one pg query)', url: floor.url, server: floor, requests: requestsFor(ME, true) },
      { name: 'identity `me`', url: subgraphs.urls.identity, server: serverOf('identity'), requests: requestsFor(ME, false) },
      { name: 'authz `checkPermission`', url: subgraphs.urls.authz, server: serverOf('authz'), requests: requestsFor(CHECK, true) },
    ];
    for (const peer of peers) {
      const [first] = peer.requests;
      const answer = await (await fetch(peer.url, { method: 'POST', headers: first!.headers, body: first!.body })).text();
      if (answer.includes('"errors"') || !answer.includes('"data"')) throw new Error(`${peer.name} answered ${answer}`);
    }

    const rows: Cell[][] = [];
    const raw: unknown[] = [];
    for (const connections of options.connections) {
      const measured: { name: string; load: LoadResult; cpuMsPerRequest: number }[] = [];
      for (let round = 0; round < options.rounds; round += 1) {
        for (const peer of peers) {
          await runHttpLoad(peer.url, peer.requests, { connections, durationSeconds: options.warmupSeconds });
          const usage = watchUsage([peer.server.pid]);
          const load = await runHttpLoad(peer.url, peer.requests, { connections, durationSeconds: options.durationSeconds });
          const cpu = usage.stop();
          const cpuMsPerRequest = load.requests > 0 ? (cpu.cpuSeconds * 1000) / load.requests : 0;
          log(`${peer.name} c=${connections}: ${load.throughput.toFixed(0)} req/s, ${cpuMsPerRequest.toFixed(3)} ms CPU/req`);
          measured.push({ name: peer.name, load, cpuMsPerRequest });
        }
      }
      for (const peer of peers) {
        const runs = measured.filter((run) => run.name === peer.name);
        const median = runs.sort((a, b) => a.load.throughput - b.load.throughput)[Math.floor(runs.length / 2)]!;
        const floorRuns = measured.filter((run) => run.name === peers[0]!.name);
        const floorMedian = floorRuns.sort((a, b) => a.load.throughput - b.load.throughput)[Math.floor(floorRuns.length / 2)]!;
        const { load } = median;
        rows.push([
          peer.name,
          connections,
          Math.round(load.throughput),
          load.p50Ms,
          load.p95Ms,
          load.p99Ms,
          load.errors,
          median.cpuMsPerRequest,
          floorMedian.load.throughput > 0 ? load.throughput / floorMedian.load.throughput : null,
        ]);
        raw.push({ peer: peer.name, connections, cpuMsPerRequest: median.cpuMsPerRequest, ...load });
      }
    }
    return {
      scenario: 'subgraphs',
      comparison:
        "Straight to one subgraph process, each request for another caller: identity `me` and authz `checkPermission` against the floor, a node:http server doing the one pg primary-key query `me` needs. `× floor` is req/s over the floor's at the same concurrency (goal ≥ 0.5 at 10 connections).",
      tables: [
        {
          title: 'One subgraph request',
          table: {
            columns: ['peer', 'conns', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'CPU ms/req', '× floor'],
            rows,
          },
        },
      ],
      raw,
      notes: [`${size.organizations} organizations × ${size.membersPerOrganization} members; ${size.callers} callers (owners).`],
    };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  }
};
