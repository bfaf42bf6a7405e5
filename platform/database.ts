import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { EntitySchema, MigrationInterface, MixedList } from 'typeorm';

export type MigrationClass = new () => MigrationInterface;

export interface SubgraphStorage {
  /** The Postgres schema this subgraph owns; no other subgraph reads or writes it. */
  schema: string;
  entities: MixedList<(new () => unknown) | EntitySchema>;
  migrations: MigrationClass[];
}

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  applicationName: string;
}

export function createDataSource(storage: SubgraphStorage, options: DatabaseOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema: storage.schema,
    entities: storage.entities,
    migrations: storage.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    applicationName: options.applicationName,
    extra: { max: options.poolMax, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 },
  });
}

/** A connected DataSource for the subgraph, migrated first when asked; closed again if that fails. */
export async function openDatabase(storage: SubgraphStorage, options: DatabaseOptions & { migrate?: boolean }): Promise<DataSource> {
  const dataSource = createDataSource(storage, options);
  await dataSource.initialize();
  if (options.migrate) {
    try {
      await migrate(dataSource, storage);
    } catch (error) {
      await dataSource.destroy();
      throw error;
    }
  }
  return dataSource;
}

/** Creates the subgraph's schema if needed (the migrations table lives in it), then migrates. */
export async function migrate(dataSource: DataSource, storage: SubgraphStorage): Promise<string[]> {
  await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${storage.schema}"`);
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((migration) => migration.name);
}

/** Reverts the latest applied migration of this subgraph. */
export async function revertLatest(dataSource: DataSource): Promise<void> {
  await dataSource.undoLastMigration({ transaction: 'each' });
}

/** SQL that TypeORM would still run to match the entities: empty when migrations are complete. */
export async function pendingSchemaChanges(dataSource: DataSource): Promise<string[]> {
  const sqlInMemory = await dataSource.driver.createSchemaBuilder().log();
  return sqlInMemory.upQueries.map((query) => query.query);
}
