/**
 * Fan-out: N WebSocket clients subscribed to one organization's live metrics through a
 * gateway, while events are published to that organization's Redis topic at a steady
 * rate. Measures publish → deliver latency at the client, how many events arrived, and
 * the gateway's CPU and memory. Ours and Hive Gateway in the same run, in front of the
 * same subgraph processes (Hive subscribes to the analytics subgraph over WebSocket), and
 * the floor: a bare WebSocket relay of the Redis channel (bench/peers/subscription-floor-server.ts).
 */
import path from 'node:path';
import { build } from 'hdr-histogram-js';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { isProcessAlive } from '../../platform/process-alive';
import { createBenchDatabase, dropStaleBenchDatabases } from '../data';
import type { Caller } from '../data';
import type { Scenario } from '../options';
import { freePort, spawnServer, watchUsage } from '../processes';
import type { ServerProcess } from '../processes';
import type { Cell } from '../report';
import { BENCH_REDIS_URL } from '../environment';
import { BUILD_DIR, ROOT, buildProject, startGateway, startSubgraphs } from '../stack';

const QUERY = 'subscription Live($org: ID!) { realtimeMetrics(organizationId: $org) { activeCalls at organization { name } } }';
/** Events the bench publishes carry activeCalls ≥ this, so heartbeats and the first snapshot are told apart. */
const MARK = 1_000_000;

interface Client {
  socket: WebSocket;
  /** The gateway acknowledged the connection (it verified the token). */
  acked: Promise<void>;
  /** The first result arrived: the subscription is live end to end. */
  ready: Promise<void>;
}

const ACTIVE_CALLS = Buffer.from('"activeCalls":');
const AT = Buffer.from('"at":"');

/**
 * An event's `activeCalls` and `at` read from the bytes of a `next` message, without parsing the
 * whole message: the clients of every peer read each of the N messages of every event on the
 * same cores as the peer, and a JSON.parse per message was a large part of what was measured.
 * undefined: another message (ack, ping, an error), parsed in full.
 */
function eventOf(raw: Buffer): { activeCalls: number; at: number } | undefined {
  const calls = raw.indexOf(ACTIVE_CALLS);
  const at = raw.indexOf(AT);
  if (calls < 0 || at < 0) return undefined;
  let activeCalls = 0;
  for (let index = calls + ACTIVE_CALLS.length, digit = raw[index]! - 48; digit >= 0 && digit <= 9; digit = raw[++index]! - 48)
    activeCalls = activeCalls * 10 + digit;
  const start = at + AT.length;
  return { activeCalls, at: Date.parse(raw.toString('latin1', start, raw.indexOf(34, start))) };
}

/** A bare graphql-transport-ws client: cheap enough to open ten thousand from one process. */
function openClient(url: string, caller: Caller, onEvent: (latencyMs: number) => void): Client {
  // No UTF-8 check of each frame: the clients' own cost, not the peer's, and every peer sends JSON.
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { skipUTF8Validation: true });
  let markAcked = () => {};
  const acked = new Promise<void>((resolve) => (markAcked = resolve));
  const ready = new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${caller.token}` } })),
    );
    socket.on('message', (raw: Buffer) => {
      const event = eventOf(raw);
      if (event) {
        if (event.activeCalls >= MARK) onEvent(Date.now() - event.at);
        else resolve();
        return;
      }
      const message = JSON.parse(raw.toString()) as { type: string };
      if (message.type === 'connection_ack') {
        markAcked();
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY, variables: { org: caller.organizationId } } }));
      } else if (message.type === 'next') {
        reject(new Error(`unexpected result: ${raw.toString().slice(0, 300)}`));
      } else if (message.type === 'error') {
        reject(new Error(`subscription refused: ${raw.toString().slice(0, 300)}`));
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    });
    socket.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)));
  });
  ready.catch(() => undefined);
  return { socket, acked: Promise.race([acked, ready]), ready };
}

interface Run {
  peer: string;
  subscribers: number;
  published: number;
  delivered: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Until every connection was acknowledged. */
  connectSeconds: number;
  /** Until every subscriber had its first result. */
  readySeconds: number;
  cores: number;
  /** The bench process, which runs every client, over the same window. */
  clientCores: number;
  peakRssMb: number;
  kbPerConnection: number;
}

async function measure(
  peer: string,
  gateway: ServerProcess,
  callers: Caller[],
  subscribers: number,
  eventsPerSecond: number,
  seconds: number,
  redis: Redis,
  log: (line: string) => void,
): Promise<Run> {
  const latencies = build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
  let delivered = 0;
  const baseline = watchUsage([gateway.pid]);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const idle = baseline.stop();
  const clients: Client[] = [];
  const organizationId = callers[0]!.organizationId;
  const publish = (activeCalls: number) =>
    redis.publish(
      `metrics.${organizationId}`,
      JSON.stringify({
        organizationId,
        organization: { id: organizationId },
        activeCalls,
        aiCallsInProgress: 0,
        averageMos: 4.1,
        at: new Date().toISOString(),
      }),
    );
  const connectStarted = performance.now();
  let connectSeconds: number | undefined;
  let probes: NodeJS.Timeout | undefined;
  try {
    // In batches of 500, each waiting for its acknowledgements, so the accept queue is not flooded.
    for (let opened = 0; opened < subscribers; opened += 500) {
      const batch = Array.from({ length: Math.min(500, subscribers - opened) }, (_, index) =>
        openClient(gateway.url, callers[(opened + index) % callers.length]!, (latency) => {
          delivered += 1;
          latencies.recordValue(Math.max(1, latency));
        }),
      );
      clients.push(...batch);
      await Promise.all(batch.map((client) => client.acked));
    }
    connectSeconds = (performance.now() - connectStarted) / 1000;
    // A subscriber that joins a shared upstream gets its next event (no snapshot of its own): probes
    // every 200 ms make "ready" mean subscribed end to end, not "the analytics heartbeat (5 s) came".
    probes = setInterval(() => void publish(1), 200);
    await Promise.all(clients.map((client) => client.ready));
  } finally {
    clearInterval(probes);
  }
  const readySeconds = (performance.now() - connectStarted) / 1000;
  log(
    `${peer}: ${subscribers} subscribers connected in ${(connectSeconds ?? readySeconds).toFixed(1)} s, ready in ${readySeconds.toFixed(1)} s`,
  );

  await new Promise((resolve) => setTimeout(resolve, 500));
  const usage = watchUsage([gateway.pid]);
  const clientCpu = process.cpuUsage();
  const clientStarted = performance.now();
  const total = Math.max(1, Math.round(eventsPerSecond * seconds));
  for (let sequence = 0; sequence < total; sequence++) {
    await publish(MARK + sequence);
    await new Promise((resolve) => setTimeout(resolve, 1000 / eventsPerSecond));
  }
  // Let the last events arrive.
  const expected = total * subscribers;
  for (let waited = 0; waited < 10_000 && delivered < expected; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  const report = usage.stop();
  const { user, system } = process.cpuUsage(clientCpu);
  const clientCores = (user + system) / 1000 / (performance.now() - clientStarted);
  for (const client of clients) client.socket.terminate();
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    peer,
    subscribers,
    published: total,
    delivered,
    p50Ms: latencies.getValueAtPercentile(50),
    p95Ms: latencies.getValueAtPercentile(95),
    p99Ms: latencies.getValueAtPercentile(99),
    maxMs: latencies.maxValue,
    connectSeconds: connectSeconds ?? readySeconds,
    readySeconds,
    cores: report.cores,
    clientCores,
    peakRssMb: report.peakRssBytes / 2 ** 20,
    kbPerConnection: Math.max(0, report.peakRssBytes - idle.peakRssBytes) / 1024 / subscribers,
  };
}

export const subscriptionsScenario: Scenario = async (options, log) => {
  const counts = options.smoke
    ? [20]
    : options.connections.length > 0 && options.connections.some((n) => n >= 100)
      ? options.connections
      : [1000, 5000, 10000];
  const eventsPerSecond = options.smoke ? 5 : 2;
  const seconds = options.smoke ? 1 : Math.max(5, options.durationSeconds);
  const peers = ['floor', 'ours', 'hive'].filter((peer) => !options.peers || options.peers.includes(peer));
  log('compiling the project');
  await buildProject();
  await dropStaleBenchDatabases(isProcessAlive);
  // One organization; ten callers (tokens) in it, subscribers spread over them.
  const database = await createBenchDatabase({ organizations: 1, membersPerOrganization: 10, callers: 10 });
  const cleanups: (() => Promise<void>)[] = [() => database.drop()];
  const redis = new Redis(BENCH_REDIS_URL);
  cleanups.unshift(async () => void redis.disconnect());
  const runs: Run[] = [];
  try {
    const subgraphs = await startSubgraphs(database);
    cleanups.unshift(() => subgraphs.stop());
    for (const peer of peers) {
      const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
      const gateway =
        peer === 'floor'
          ? await startFloor(database.callers[0]!.organizationId, nodeArgs)
          : peer === 'ours'
            ? await startGateway('ours', database, subgraphs, { nodeArgs })
            : await startGateway('hive', database, subgraphs, { websockets: true });
      try {
        for (const subscribers of counts) {
          const run = await measure(peer, gateway, database.callers, subscribers, eventsPerSecond, seconds, redis, log);
          log(
            `${peer} ×${subscribers}: delivered ${run.delivered}/${run.published * subscribers}, p50 ${run.p50Ms} ms, p95 ${run.p95Ms} ms, p99 ${run.p99Ms} ms`,
          );
          runs.push(run);
        }
      } catch (error) {
        log(`${peer} failed: ${error instanceof Error ? error.message : String(error)}\n${gateway.output().slice(-1500)}`);
        runs.push({
          peer: `${peer} (failed)`,
          subscribers: 0,
          published: 0,
          delivered: 0,
          p50Ms: 0,
          p95Ms: 0,
          p99Ms: 0,
          maxMs: 0,
          connectSeconds: 0,
          readySeconds: 0,
          cores: 0,
          clientCores: 0,
          peakRssMb: 0,
          kbPerConnection: 0,
        });
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  }
  const rows: Cell[][] = runs.map((run) => {
    const ours = runs.find((other) => other.peer === 'ours' && other.subscribers === run.subscribers);
    const floor = runs.find((other) => other.peer === 'floor' && other.subscribers === run.subscribers);
    return [
      run.peer,
      run.subscribers,
      run.published,
      run.subscribers > 0 ? `${((100 * run.delivered) / (run.published * run.subscribers)).toFixed(1)}%` : '–',
      run.connectSeconds,
      run.readySeconds,
      run.p50Ms,
      run.p95Ms,
      run.p99Ms,
      run.maxMs,
      run.cores,
      run.clientCores,
      run.peakRssMb,
      run.kbPerConnection,
      run.peer !== 'floor' && floor && floor.p99Ms > 0 ? run.p99Ms / floor.p99Ms : null,
      run.peer === 'hive' && ours && ours.p99Ms > 0 ? run.p99Ms / ours.p99Ms : null,
    ];
  });
  return {
    scenario: 'subscriptions',
    comparison: `Fan-out of one organization's realtimeMetrics: ${eventsPerSecond} events/s published to Redis for ${seconds} s, delivered by the floor (a bare WebSocket relay), through our gateway and through Hive Gateway (same subgraphs). Latency is publish → client, per delivered event. Goal: 10,000 subscribers on one gateway process with p99 ≤ 100 ms.`,
    tables: [
      {
        title: 'Fan-out',
        table: {
          columns: [
            'gateway',
            'subscribers',
            'events',
            'delivered',
            'connected s',
            'ready s',
            'p50 ms',
            'p95 ms',
            'p99 ms',
            'max ms',
            'cores busy',
            'clients cores busy',
            'peak RSS MB',
            'KB / connection',
            'p99 ÷ floor',
            'hive p99 ÷ ours',
          ],
          rows,
        },
      },
    ],
    raw: runs,
    notes: [
      'Each event also crosses into identity (organization { name }), fetched by the gateway per event.',
      'Subscribers use 10 tokens of the same organization: ours shares one upstream subscription per token, document and variables.',
      'The clients run in the bench process on the same 2 cores as the gateway under test.',
      'floor: a bare WebSocket server relaying the Redis channel to every socket (no token check, no planning, no entity fetch): what this machine and these clients can do.',
    ],
  };
};

/** The floor peer: a bare WebSocket relay of the organization's Redis channel, as its own process. */
async function startFloor(organizationId: string, nodeArgs: string[] = []): Promise<ServerProcess> {
  const port = await freePort();
  return spawnServer({
    name: 'floor',
    args: [...nodeArgs, path.join(BUILD_DIR, 'bench', 'peers', 'subscription-floor-server.js')],
    env: {
      PATH: process.env.PATH,
      REDIS_URL: BENCH_REDIS_URL,
      FLOOR_PORT: String(port),
      FLOOR_CHANNEL: `metrics.${organizationId}`,
      FLOOR_ORGANIZATION_NAME: 'Bench Org 0',
    },
    cwd: ROOT,
    readyUrl: `http://127.0.0.1:${port}/`,
    url: `http://127.0.0.1:${port}/graphql`,
  });
}
