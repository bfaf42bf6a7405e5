import 'reflect-metadata';
import { SUBGRAPHS } from '../subgraphs';
import { SUBGRAPH_NAMES } from '../platform/config';
import { openDatabase } from '../platform/database';
import { withDatabase } from '../platform/database-url';
import { TEMPLATE_ENV, testDatabaseUrl, withAdminClient } from './kit/database';
import { SERVICES_GLOBAL, provideTestServices } from './kit/test-services';
import { isProcessAlive } from '../platform/process-alive';

/**
 * Finds or starts PostgreSQL and Redis (tests/kit/test-services.ts), then migrates one
 * template database per run; each test file copies it (CREATE DATABASE … TEMPLATE).
 */
export default async function globalSetup(): Promise<void> {
  const services = await provideTestServices();
  (globalThis as Record<string, unknown>)[SERVICES_GLOBAL] = services;
  try {
    await migrateTemplate();
  } catch (error) {
    await services.stop();
    throw error;
  }
}

async function migrateTemplate(): Promise<void> {
  const template = `auralink_template_${process.pid}`;
  await withAdminClient(async (client) => {
    // Databases left by runs that were killed before their teardown (their process is gone).
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname ~ '^auralink_(t|template)_[0-9]+'",
    );
    for (const { datname } of rows) {
      const pid = Number(/^auralink_(?:t|template)_(\d+)/.exec(datname)?.[1]);
      if (!isProcessAlive(pid)) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await client.query(`CREATE DATABASE ${template}`);
  });
  for (const name of SUBGRAPH_NAMES) {
    const dataSource = await openDatabase(SUBGRAPHS[name].storage, {
      url: withDatabase(testDatabaseUrl(), template),
      poolMax: 1,
      applicationName: 'test-setup',
      migrate: true,
    });
    await dataSource.destroy();
  }
  process.env[TEMPLATE_ENV] = template;
}
