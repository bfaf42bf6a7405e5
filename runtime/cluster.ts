/**
 * The gateway with one worker process per core, sharing one port (node:cluster).
 *   node dist/runtime/cluster.js          GATEWAY_WORKERS workers (default: one per core)
 * Each worker is the same gateway as `serve.js gateway`; the primary only starts workers,
 * replaces one that dies, and stops them all on SIGTERM/SIGINT.
 */
import 'reflect-metadata';
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { loadConfigOrExit } from '../platform/config';
import { createLogger } from '../platform/logger';
import { startGateway } from '../gateway/server';

async function runPrimary(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, { service: 'auralink-gateway', role: 'primary' });
  const workers = config.gateway.workers ?? availableParallelism();
  let stopping = false;
  const fork = () => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'gateway worker died: starting another');
    fork();
  });
  for (let i = 0; i < workers; i += 1) fork();
  logger.info({ workers, port: config.gateway.port }, 'gateway workers starting');

  const stop = () => {
    stopping = true;
    const running = Object.values(cluster.workers ?? {});
    if (running.length === 0) process.exit(0);
    for (const worker of running) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function runWorker(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, { service: 'auralink-gateway', worker: cluster.worker?.id });
  const server = await startGateway({ config, logger, host: config.listenHost, port: config.gateway.port });
  logger.info({ url: server.url }, 'gateway worker listening');
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

if (require.main === module) {
  (cluster.isPrimary ? runPrimary() : runWorker()).catch((error: unknown) => {
    process.stderr.write(`Could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
