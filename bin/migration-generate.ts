/**
 * Writes a migration for what a subgraph's entities need beyond its existing migrations:
 *   npm run migration:generate -- <subgraph> <PascalCaseName>
 * It migrates a scratch database, asks TypeORM for the difference, and writes
 * migrations/<subgraph>/<timestamp>-<Name>.ts; add it to that folder's index.ts.
 * The scratch database is created on the server of DATABASE_URL, or with none on the
 * embedded one (`npm start` must be running), and dropped at the end.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { SUBGRAPHS } from '../subgraphs';
import { embeddedDatabaseUrl } from '../runtime/embedded-postgres';
import { SUBGRAPH_NAMES, loadConfigOrExit } from '../platform/config';
import type { SubgraphName } from '../platform/config';
import { createDataSource, migrate } from '../platform/database';
import { withDatabase } from '../platform/database-url';

async function main(): Promise<void> {
  const [subgraph, name] = process.argv.slice(2);
  if (!SUBGRAPH_NAMES.includes(subgraph as SubgraphName) || !name || !/^[A-Z][A-Za-z0-9]+$/.test(name)) {
    process.stderr.write(`usage: npm run migration:generate -- <${SUBGRAPH_NAMES.join('|')}> <PascalCaseName>\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const serverUrl = config.database.url ?? embeddedDatabaseUrl(config.database.embeddedPort);
  const scratch = `migration_scratch_${process.pid}`;
  const admin = new Client({ connectionString: serverUrl });
  try {
    await admin.connect();
  } catch {
    process.stderr.write(
      config.database.url
        ? 'Cannot reach the database at DATABASE_URL.\n'
        : `Cannot reach the embedded database on port ${config.database.embeddedPort}: start the system first with \`npm start\`, or set DATABASE_URL.\n`,
    );
    process.exit(1);
  }
  await admin.query(`CREATE DATABASE ${scratch}`);
  const storage = SUBGRAPHS[subgraph as SubgraphName].storage;
  const dataSource = createDataSource(storage, {
    url: withDatabase(serverUrl, scratch),
    poolMax: 2,
    applicationName: 'migration-generate',
  });
  try {
    await dataSource.initialize();
    await migrate(dataSource, storage);
    const sql = await dataSource.driver.createSchemaBuilder().log();
    if (sql.upQueries.length === 0) {
      process.stdout.write(`${subgraph}: entities and migrations agree; nothing to generate\n`);
      return;
    }
    const timestamp = Date.now();
    const className = `${name}${timestamp}`;
    const quote = (query: string) => `    await queryRunner.query(${JSON.stringify(query)});`;
    const file = path.join('migrations', subgraph, `${timestamp}-${name}.ts`);
    writeFileSync(
      file,
      `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${sql.upQueries.map((q) => quote(q.query)).join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${sql.downQueries
  .reverse()
  .map((q) => quote(q.query))
  .join('\n')}
  }
}
`,
    );
    process.stdout.write(`wrote ${file}: add ${className} to migrations/${subgraph}/index.ts\n`);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
