import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { withDatabase } from '../../platform/database-url';
import { createLogger } from '../../platform/logger';
import { startEmbeddedPostgres } from '../../runtime/embedded-postgres';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** Where the global setup leaves its TestServices for the teardown (jest runs both in one process; globals are how they share). */
export const SERVICES_GLOBAL = '__auralinkTestServices';

/** What the global setup started for this run; the teardown stops it. */
export interface TestServices {
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/** A failure of the setup that needs no stack trace: jest prints the one line. */
class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.stack = message;
  }
}

const say = (line: string) => process.stderr.write(`\n[test setup] ${line}\n`);

/**
 * PostgreSQL at TEST_DATABASE_URL and Redis at TEST_REDIS_URL when they answer; otherwise
 * an embedded PostgreSQL (the one `npm start` uses) and a `redis-server` from the PATH,
 * each on a free port, for this run only. The URLs are exported to the test workers
 * through the same two variables.
 */
export async function provideTestServices(env: NodeJS.ProcessEnv = process.env): Promise<TestServices> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.splice(0).reverse()) await stopOne();
  };
  try {
    const databaseUrl = await providePostgres(env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL, stops);
    const redisUrl = await provideRedis(env.TEST_REDIS_URL || DEFAULT_TEST_REDIS_URL, stops);
    env.TEST_DATABASE_URL = databaseUrl;
    env.TEST_REDIS_URL = redisUrl;
    return { databaseUrl, redisUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function providePostgres(url: string, stops: (() => Promise<void>)[]): Promise<string> {
  const problem = await postgresProblem(url);
  if (problem === undefined) return url;
  if (problem === 'missing database') {
    await createDatabaseOf(url);
    return url;
  }
  if (problem !== 'unreachable') throw new SetupError(`PostgreSQL at TEST_DATABASE_URL refused the connection: ${problem}`);

  const port = await freePort();
  // Not mkdtemp's mode-700 folder alone: PostgreSQL runs as its own user and must enter it.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'auralink-test-postgres-'));
  chmodSync(dataDir, 0o755);
  say(`no PostgreSQL at ${redact(url)}: starting the embedded PostgreSQL on port ${port} for this run`);
  let embedded;
  try {
    embedded = await startEmbeddedPostgres(dataDir, port, createLogger('warn', { component: 'test-postgres' }));
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new SetupError(
      `No PostgreSQL at ${redact(url)} and the embedded one did not start (${(error as Error).message}): set TEST_DATABASE_URL`,
    );
  }
  stops.push(async () => {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return embedded.url;
}

/** undefined: usable; 'unreachable': nothing answers there; 'missing database'; anything else: the server's refusal. */
async function postgresProblem(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code === '3D000') return 'missing database';
    if (code === undefined || /^E[A-Z]+$/.test(code) || /timeout/i.test(message ?? '')) return 'unreachable';
    return message ?? String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A server that answers but has no `test` database yet (a fresh installation): create it. */
async function createDatabaseOf(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const client = new Client({ connectionString: withDatabase(url, 'postgres') });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

async function provideRedis(url: string, stops: (() => Promise<void>)[]): Promise<string> {
  const parsed = new URL(url);
  if (await redisAnswers(parsed.hostname, Number(parsed.port || 6379))) return url;
  const server = executableOnPath('redis-server');
  if (!server) {
    throw new SetupError(
      `No Redis at ${redact(url)} and no redis-server on the PATH: install Redis (apt-get install redis-server, brew install redis) or set TEST_REDIS_URL`,
    );
  }
  const port = await freePort();
  say(`no Redis at ${redact(url)}: starting ${server} on port ${port} for this run`);
  const child = spawn(server, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  stops.push(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  });
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await redisAnswers('127.0.0.1', port)) return `redis://127.0.0.1:${port}`;
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new SetupError(`${server} did not answer on port ${port}: set TEST_REDIS_URL to a running Redis`);
}

/** Sends PING and waits for +PONG (or an authentication error: something that speaks Redis is there). */
function redisAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
  });
}

function executableOnPath(name: string): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!folder) continue;
    const candidate = path.join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** A port nothing listens on now, for a server that must be told its address before it starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A URL as it may be printed: without its password. */
function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
