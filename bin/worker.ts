/**
 * `npm run worker`: the job worker alone (pg-boss in the same PostgreSQL): every subgraph's
 * jobs, on their schedules and when queued. Needs DATABASE_URL; SIGTERM/SIGINT let running
 * jobs finish for JOBS_SHUTDOWN_GRACE_SECONDS, then fail the rest so another worker retries them.
 */
import 'reflect-metadata';
import { loadConfigOrExit } from '../platform/config';
import { createLogger } from '../platform/logger';
import { openJobDependencies, startWorker } from '../runtime/jobs';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, { service: 'auralink-worker' });
  const databaseUrl = config.database.url;
  if (!databaseUrl) {
    process.stderr.write('DATABASE_URL is required to run the worker on its own (npm start runs it with an embedded database).\n');
    process.exit(1);
  }
  const dependencies = await openJobDependencies(config, logger, databaseUrl);
  const worker = await startWorker(dependencies, databaseUrl).catch(async (error: unknown) => {
    await dependencies.close();
    throw error;
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await worker.close();
    await dependencies.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Could not start the worker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
