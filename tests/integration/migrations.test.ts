import type { DataSource } from 'typeorm';
import { SUBGRAPHS } from '../../subgraphs';
import { SUBGRAPH_NAMES } from '../../platform/config';
import { createDataSource, migrate, pendingSchemaChanges } from '../../platform/database';
import { createTestDatabase } from '../kit/database';
import type { TestDatabase } from '../kit/database';

let database: TestDatabase;
const dataSources: DataSource[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ empty: true });
});
afterAll(async () => {
  await Promise.all(dataSources.map((dataSource) => dataSource.destroy()));
  await database?.drop();
});

async function open(name: (typeof SUBGRAPH_NAMES)[number]): Promise<DataSource> {
  const dataSource = createDataSource(SUBGRAPHS[name].storage, { url: database.url, poolMax: 1, applicationName: 'migrations-test' });
  await dataSource.initialize();
  dataSources.push(dataSource);
  return dataSource;
}

async function tablesIn(dataSource: DataSource, schema: string): Promise<string[]> {
  const rows: { table_name: string }[] = await dataSource.query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations' ORDER BY table_name",
    [schema],
  );
  return rows.map((row) => row.table_name);
}

describe.each(SUBGRAPH_NAMES)('%s migrations', (name) => {
  const { storage } = SUBGRAPHS[name];

  it('bring an empty database to exactly what the entities describe', async () => {
    const dataSource = await open(name);
    await migrate(dataSource, storage);
    // If TypeORM would still generate SQL, an entity changed without a migration.
    expect(await pendingSchemaChanges(dataSource)).toEqual([]);
  });

  it('revert one by one to an empty schema, and apply again', async () => {
    const dataSource = await open(name);
    await migrate(dataSource, storage);
    const tables = await tablesIn(dataSource, storage.schema);
    for (let i = 0; i < storage.migrations.length; i++) await dataSource.undoLastMigration();
    expect(await tablesIn(dataSource, storage.schema)).toEqual([]);
    await migrate(dataSource, storage);
    expect(await tablesIn(dataSource, storage.schema)).toEqual(tables);
    expect(await pendingSchemaChanges(dataSource)).toEqual([]);
  });

  it('keep every table in the schema the subgraph owns', async () => {
    const dataSource = await open(name);
    await migrate(dataSource, storage);
    const elsewhere: { table_schema: string; table_name: string }[] = await dataSource.query(
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_schema NOT IN (SELECT unnest($1::text[]))",
      [SUBGRAPH_NAMES],
    );
    expect(elsewhere).toEqual([]);
  });
});
