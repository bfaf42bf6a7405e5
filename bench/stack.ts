/**
 * The supergraph as production runs it: the project compiled to JavaScript, each subgraph
 * in its own process on the machine's PostgreSQL and Redis, and the gateways under test
 * (ours, Hive Gateway) as processes of their own in front of the same subgraphs.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { SUBGRAPH_NAMES } from '../platform/config';
import { SUBGRAPH_SECRET_HEADER } from '../platform/subgraph-credential';
import type { SubgraphName } from '../platform/config';
import type { BenchDatabase } from './data';
import { BENCH_AUTH, BENCH_LOG_LEVEL, BENCH_REDIS_URL } from './environment';
import { freePort, processTree, spawnServer } from './processes';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerProcess } from './processes';

export const ROOT = path.resolve(__dirname, '..');
export const BUILD_DIR = path.join(ROOT, 'bench', 'results', 'build');
const SUPERGRAPH = path.join(ROOT, 'schema', 'supergraph.graphql');
/** The subgraph credential of this run: every gateway under test (and the floor's replays) sends it. */
export const SUBGRAPH_SECRET = randomBytes(32).toString('base64');

/** Compiles the project once (no type check: `npm run typecheck` does that) so servers start without ts-node. */
export async function buildProject(): Promise<void> {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  await promisify(execFile)(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', BUILD_DIR, '--noCheck'], {
    cwd: ROOT,
  });
  // The processes read the committed supergraph, operation manifest and OpenAPI document next to
  // their compiled code, as in the container image.
  mkdirSync(path.join(BUILD_DIR, 'schema'), { recursive: true });
  for (const file of ['supergraph.graphql', 'operation-manifest.json', 'openapi.json']) {
    copyFileSync(path.join(ROOT, 'schema', file), path.join(BUILD_DIR, 'schema', file));
  }
}

function baseEnv(database: BenchDatabase): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_LEVEL: BENCH_LOG_LEVEL,
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    SECRETS_KEY: database.secretsKey,
    SUBGRAPH_SECRET,
    REDIS_URL: BENCH_REDIS_URL,
    AUTH_ISSUER: BENCH_AUTH.issuer,
    AUTH_AUDIENCE: BENCH_AUTH.audience,
    // The load comes from one address and a few users: budgets no run reaches (the counting itself is measured).
    RATE_LIMIT_ANONYMOUS: '1000000000',
    RATE_LIMIT_USER: '1000000000',
    RATE_LIMIT_ORGANIZATION: '1000000000',
    // The subscription scenario opens up to 10,000 sockets over 10 users.
    WS_MAX_SOCKETS_PER_USER: '1000000',
    WS_MAX_SUBSCRIPTIONS_PER_USER: '1000000',
    // Runs share the machine's Redis: each has event streams of its own.
    EVENT_STREAM_PREFIX: streamPrefixOf(database),
  };
}

function streamPrefixOf(database: BenchDatabase): string {
  return `auralink-bench:${database.name}`;
}

/** The run's event streams go with it. */
async function deleteStreams(database: BenchDatabase): Promise<void> {
  const redis = new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const keys = await redis.keys(`${streamPrefixOf(database)}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

export interface Subgraphs {
  urls: Record<SubgraphName, string>;
  processes: ServerProcess[];
  stop(): Promise<void>;
}

/** Identity first (the others fetch its JWKS), then the other five side by side; `nodeArgs` (e.g. `--cpu-prof`) go to each. */
export async function startSubgraphs(database: BenchDatabase, { nodeArgs = [] }: { nodeArgs?: string[] } = {}): Promise<Subgraphs> {
  const ports = {} as Record<SubgraphName, number>;
  for (const name of SUBGRAPH_NAMES) ports[name] = await freePort();
  const urls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`])) as Record<
    SubgraphName,
    string
  >;
  const env = {
    ...baseEnv(database),
    AUTH_JWKS_URL: `http://127.0.0.1:${ports.identity}/.well-known/jwks.json`,
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_PORT`, String(ports[name])])),
  };
  const start = (name: SubgraphName) =>
    spawnServer({
      name,
      args: [...nodeArgs, path.join(BUILD_DIR, 'bin', 'serve.js'), name],
      env,
      cwd: ROOT,
      readyUrl: `http://127.0.0.1:${ports[name]}/ready`,
      url: urls[name],
    });
  const processes: ServerProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((server) => server.stop()));
    await deleteStreams(database);
  };
  try {
    processes.push(await start('identity'));
    const rest = await Promise.allSettled(SUBGRAPH_NAMES.filter((name) => name !== 'identity').map(start));
    for (const outcome of rest) if (outcome.status === 'fulfilled') processes.push(outcome.value);
    const failed = rest.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    await stop();
    throw error;
  }
  return { urls, processes, stop };
}

/**
 * A job process in front of `subgraphs` and `gateway` (bench/peers/job-server.ts): the worker's
 * dependencies, running one job per request, so that its memory can be watched around a run.
 */
export async function startJobServer(database: BenchDatabase, subgraphs: Subgraphs, gateway: ServerProcess): Promise<ServerProcess> {
  const port = await freePort();
  return spawnServer({
    name: 'job',
    args: [path.join(BUILD_DIR, 'bench', 'peers', 'job-server.js')],
    env: {
      ...baseEnv(database),
      JOB_SERVER_PORT: String(port),
      AUTH_JWKS_URL: new URL('/.well-known/jwks.json', subgraphs.urls.identity).toString(),
      COMPLIANCE_GATEWAY_URL: gateway.url,
      ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, subgraphs.urls[name]])),
    },
    cwd: ROOT,
    readyUrl: `http://127.0.0.1:${port}/`,
    url: `http://127.0.0.1:${port}/run`,
  });
}

export type GatewayKind = 'ours' | 'hive';

/**
 * One gateway in front of `subgraphs`. `workers` > 1 runs one worker per core: ours with
 * node:cluster (runtime/cluster.ts), Hive Gateway with its `--fork`. `websockets` turns on
 * Hive Gateway's graphql-ws server and has it subscribe to subgraphs over graphql-ws with
 * the client's token (ours always serves WebSockets).
 */
export async function startGateway(
  kind: GatewayKind,
  database: BenchDatabase,
  subgraphs: Subgraphs,
  { workers = 1, nodeArgs = [], websockets = false }: { workers?: number; nodeArgs?: string[]; websockets?: boolean } = {},
): Promise<ServerProcess> {
  const server = await spawnGateway(kind, database, subgraphs, workers, nodeArgs, websockets);
  // The first worker to listen makes /health answer: wait for the others to be forked and listening.
  if (workers > 1) {
    const deadline = Date.now() + 20_000;
    while (processTree(server.pid).length < workers + 1 && Date.now() < deadline) await sleep(100);
    await sleep(3000);
  }
  return server;
}

async function spawnGateway(
  kind: GatewayKind,
  database: BenchDatabase,
  subgraphs: Subgraphs,
  workers: number,
  nodeArgs: string[],
  websockets: boolean,
): Promise<ServerProcess> {
  const port = await freePort();
  const graphqlUrl = `http://127.0.0.1:${port}/graphql`;
  if (kind === 'ours') {
    return spawnServer({
      name: workers > 1 ? `ours ×${workers}` : 'ours',
      args: [
        ...nodeArgs,
        ...(workers > 1 ? [path.join(BUILD_DIR, 'runtime', 'cluster.js')] : [path.join(BUILD_DIR, 'bin', 'serve.js'), 'gateway']),
      ],
      env: {
        ...baseEnv(database),
        GATEWAY_PORT: String(port),
        GATEWAY_WORKERS: String(workers),
        AUTH_JWKS_URL: new URL('/.well-known/jwks.json', subgraphs.urls.identity).toString(),
        ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, subgraphs.urls[name]])),
      },
      cwd: ROOT,
      readyUrl: `http://127.0.0.1:${port}/health`,
      url: graphqlUrl,
    });
  }

  // Hive Gateway serves the same committed supergraph, with its subgraph URLs pointed at this run's ports.
  const dir = mkdtempSync(path.join(tmpdir(), 'auralink-bench-hive-'));
  let supergraph = readFileSync(SUPERGRAPH, 'utf8');
  for (const name of SUBGRAPH_NAMES) {
    supergraph = supergraph.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`), `$1${subgraphs.urls[name]}$2`);
  }
  writeFileSync(path.join(dir, 'supergraph.graphql'), supergraph);
  // Like ours, it forwards the caller's token and request id to every subgraph (over WebSocket the token comes in connectionParams)
  // and shows the subgraph credential.
  const subscriptions = websockets
    ? `
  transportEntries: {
    '*.http': {
      options: {
        subscriptions: {
          kind: 'ws',
          location: '/graphql',
          options: { connectionParams: { authorization: '{context.connectionParams.authorization}' } },
        },
      },
    },
  },`
    : '';
  writeFileSync(
    path.join(dir, 'gateway.config.mjs'),
    `export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs: ({ request, context }) => ({
      authorization: request?.headers.get('authorization') ?? context?.connectionParams?.authorization,
      'x-request-id': request?.headers.get('x-request-id'),
      '${SUBGRAPH_SECRET_HEADER}': process.env.SUBGRAPH_SECRET,
    }),
  },${subscriptions}
};
`,
  );
  const server = await spawnServer({
    name: workers > 1 ? `hive ×${workers}` : 'hive',
    args: [
      path.join(ROOT, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js'),
      'supergraph',
      path.join(dir, 'supergraph.graphql'),
      '--config-path',
      path.join(dir, 'gateway.config.mjs'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--fork',
      String(workers),
      ...(websockets ? [] : ['--disable-websockets']),
    ],
    env: { ...baseEnv(database) },
    cwd: dir,
    readyUrl: `http://127.0.0.1:${port}/healthcheck`,
    url: graphqlUrl,
  });
  return {
    ...server,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
