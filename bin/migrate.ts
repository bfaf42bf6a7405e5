/**
 * Migrates every subgraph's schema (DATABASE_URL, or the embedded database while `npm start` runs).
 *   npm run migrate                         apply all pending migrations
 *   npm run migrate -- --revert <subgraph>  revert that subgraph's latest migration
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { embeddedDatabaseUrl } from '../runtime/embedded-postgres';
import { SUBGRAPHS } from '../subgraphs';
import { SUBGRAPH_NAMES, loadConfigOrExit } from '../platform/config';
import type { SubgraphName } from '../platform/config';
import { createDataSource, migrate, revertLatest } from '../platform/database';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { revert: { type: 'string' } } });
  if (values.revert !== undefined && !SUBGRAPH_NAMES.includes(values.revert as SubgraphName)) {
    process.stderr.write(`--revert takes a subgraph: ${SUBGRAPH_NAMES.join(', ')}\n`);
    return 2;
  }
  const config = loadConfigOrExit();
  const url = config.database.url ?? embeddedDatabaseUrl(config.database.embeddedPort);
  const names = values.revert ? [values.revert as SubgraphName] : SUBGRAPH_NAMES;
  for (const name of names) {
    const { storage } = SUBGRAPHS[name];
    const dataSource = createDataSource(storage, { url, poolMax: 1, applicationName: 'auralink-migrate' });
    await dataSource.initialize();
    try {
      if (values.revert) {
        await revertLatest(dataSource);
        process.stdout.write(`${name}: reverted its latest migration\n`);
      } else {
        const applied = await migrate(dataSource, storage);
        process.stdout.write(`${name}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}\n`);
      }
    } finally {
      await dataSource.destroy();
    }
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
