/**
 * Production: one component per process.
 *   node dist/bin/serve.js <identity|authz|audit|billing|compliance|analytics>   one subgraph (migrates its own schema first)
 *   node dist/bin/serve.js gateway                                               the gateway
 * Needs DATABASE_URL for a subgraph, and REDIS_URL for every component: facts between
 * subgraphs and membership revocations cross processes through it. The gateway reaches
 * subgraphs at <NAME>_URL.
 */
import 'reflect-metadata';
import { startGateway } from '../gateway/server';
import { SUBGRAPHS } from '../subgraphs';
import { SUBGRAPH_NAMES, loadConfigOrExit } from '../platform/config';
import type { SubgraphName } from '../platform/config';
import { createAccessControl } from '../platform/authorization/access-control';
import { openDatabase } from '../platform/database';
import { createEventBus } from '../platform/events';
import { createLogger } from '../platform/logger';
import { createMessaging } from '../platform/outbox/messaging';
import { serveSubgraph } from '../platform/server';
import type { RunningServer } from '../platform/server';

async function main(): Promise<void> {
  const component = process.argv[2];
  if (component !== 'gateway' && !SUBGRAPH_NAMES.includes(component as SubgraphName)) {
    process.stderr.write(`usage: serve <gateway|${SUBGRAPH_NAMES.join('|')}>\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  if (!config.redisUrl) {
    process.stderr.write(
      'REDIS_URL is required to serve a component on its own: facts between subgraphs and revoked memberships reach the other processes through it (npm start runs everything in one process without it).\n',
    );
    process.exit(1);
  }
  const logger = createLogger(config.logLevel, { service: `auralink-${component}` });
  const listenHost = config.listenHost;
  let server: RunningServer;
  let closeDatabase = async () => {};

  if (component === 'gateway') {
    server = await startGateway({ config, logger, host: listenHost, port: config.gateway.port });
  } else {
    const name = component as SubgraphName;
    if (!config.database.url) {
      process.stderr.write(
        'DATABASE_URL is required to serve a subgraph on its own (npm start runs everything with an embedded database).\n',
      );
      process.exit(1);
    }
    const dataSource = await openDatabase(SUBGRAPHS[name].storage, {
      url: config.database.url,
      poolMax: config.database.poolMax,
      applicationName: `auralink-${name}`,
      migrate: true,
    });
    const access = await createAccessControl(config, dataSource, logger);
    const events = createEventBus(config.redisUrl, logger);
    const messaging = createMessaging(config, logger);
    server = await serveSubgraph(
      SUBGRAPHS[name],
      { config, dataSource, logger, access, events, messaging },
      { host: listenHost, port: config.subgraphs[name].port },
    );
    await messaging.start();
    closeDatabase = async () => {
      await messaging.close();
      await access.close();
      await events.close();
      await dataSource.destroy();
    };
  }
  logger.info({ url: server.url }, `${component} listening`);

  const stop = async () => {
    await server.close();
    await closeDatabase();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`Could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
