import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { plainRows } from './plain-sql';

/**
 * Rows of an entity by primary key in one plain SQL query, for the lookups behind
 * DataLoaders that every request makes (the signed-in user, an organization by id):
 * TypeORM's query building cost more CPU than the query itself (BENCHMARKS.md,
 * `subgraphs`). The statement is built once from the entity's metadata, so it selects
 * exactly the entity's own columns; what comes back is an instance of the entity class.
 */
export function selectByIds<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
): (ids: readonly string[]) => Promise<T[]> {
  let sql: string | undefined;
  return async (ids) => {
    if (ids.length === 0) return [];
    const metadata = dataSource.getMetadata(entity);
    if (sql === undefined) {
      const [key] = metadata.primaryColumns;
      if (!key || metadata.primaryColumns.length !== 1) throw new Error(`${metadata.name}: selectByIds needs a single-column primary key`);
      const columns = metadata.columns
        .filter((column) => !column.relationMetadata)
        .map((column) => `"${column.databaseName}" AS "${column.propertyName}"`);
      sql = `SELECT ${columns.join(', ')} FROM ${metadata.tablePath} WHERE "${key.databaseName}" = ANY($1)`;
    }
    const rows = await plainRows<Record<string, unknown>>(dataSource, sql, [[...ids]]);
    return rows.map((row) => Object.assign(metadata.create() as T, row));
  };
}
