/**
 * `npm start`: the whole supergraph in one process. With no DATABASE_URL it runs an
 * embedded PostgreSQL under DATA_DIR; it migrates, loads the demo organization with its
 * demo identity provider (outside production), and prints where everything is.
 */
import 'reflect-metadata';
import { loadConfigOrExit } from '../platform/config';
import { createLogger } from '../platform/logger';
import { startDemoSignIn } from '../runtime/demo-identity-provider';
import type { DemoSignIn } from '../runtime/demo-identity-provider';
import { DEMO_ORGANIZATION_ID, DEMO_OWNER_ID, loadDemoOrganization } from '../runtime/demo-organization';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import type { EmbeddedDatabase } from '../runtime/embedded-postgres';
import { startSupergraph } from '../runtime/supergraph';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, { service: 'auralink' });
  const started = performance.now();

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.database.url;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.database.embeddedPort, logger);
    databaseUrl = embedded.url;
  }

  const supergraph = await startSupergraph({ config, logger, databaseUrl, ports: 'configured', jobs: config.jobs.inProcess }).catch(
    async (error: unknown) => {
      await embedded?.stop();
      throw error;
    },
  );
  if (config.demoData && (await loadDemoOrganization(config, supergraph.dataSources, supergraph.access, supergraph.messaging))) {
    logger.info({ organizationId: DEMO_ORGANIZATION_ID }, 'loaded the demo organization');
  }
  let demoSignIn: DemoSignIn | undefined;
  if (config.demoData && config.env !== 'production') {
    demoSignIn = await startDemoSignIn(config, supergraph, config.demoIdpPort).catch(async (error: unknown) => {
      await supergraph.close();
      await embedded?.stop();
      throw error;
    });
  }

  const row = (label: string, value: string) => `  ${label.padEnd(30)}${value}`;
  const lines = [
    '',
    `AuraLink supergraph is up (${Math.round(performance.now() - started)} ms)`,
    row('GraphQL (gateway + explorer)', supergraph.gatewayUrl),
    ...Object.entries(supergraph.subgraphUrls).map(([name, url]) => row(`${name} subgraph`, url)),
    row(
      'jobs',
      config.jobs.inProcess ? `worker in this process (pg-boss schema ${config.jobs.schema})` : 'no worker (JOBS_IN_PROCESS=false)',
    ),
    row(
      'database',
      embedded ? `embedded PostgreSQL on port ${config.database.embeddedPort} (data in ${config.dataDir}/postgres)` : 'DATABASE_URL',
    ),
    ...(demoSignIn ? [row('demo identity provider', `${demoSignIn.issuer} (OpenID Connect, the demo users)`)] : []),
    '',
    `Demo organization ${DEMO_ORGANIZATION_ID}, owner ${DEMO_OWNER_ID}. Get a token with:  TOKEN=$(npm run -s token | tail -1)`,
    ...(demoSignIn ? [`Sign in as a demo user in a browser:  ${demoSignIn.signInUrl}`] : []),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await demoSignIn?.close();
    await supergraph.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
