import type { Pool, QueryResultRow } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Plain SQL on a DataSource's own pg pool, for the hot reads where TypeORM's query
 * building and its query runner showed in a CPU profile (BENCHMARKS.md, `subgraphs`): the
 * rows as pg answers them. Writes, transactions, entities and migrations stay TypeORM's.
 */
export async function plainRows<T extends QueryResultRow>(dataSource: DataSource, text: string, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  return (await pool.query<T>(text, values)).rows;
}
