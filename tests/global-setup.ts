import 'reflect-metadata';
import { SUBGRAPHS } from '../subgraphs';
import { SUBGRAPH_NAMES } from '../platform/config';
import { openDatabase } from '../platform/database';
import { withDatabase } from '../platform/database-url';
import { TEMPLATE_ENV, TEST_DATABASE_URL, withAdminClient } from './kit/database';
import { isProcessAlive } from '../platform/process-alive';

/** Migrates one template database per run; each test file copies it (CREATE DATABASE … TEMPLATE). */
export default async function globalSetup(): Promise<void> {
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
      url: withDatabase(TEST_DATABASE_URL, template),
      poolMax: 1,
      applicationName: 'test-setup',
      migrate: true,
    });
    await dataSource.destroy();
  }
  process.env[TEMPLATE_ENV] = template;
}
