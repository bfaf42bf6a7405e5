import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { withDatabase } from '../../platform/database-url';
import { DEFAULT_TEST_DATABASE_URL } from './test-services';

/**
 * The PostgreSQL of this run (every test file gets its own database on it): the machine's,
 * or the embedded one the global setup started and exported here.
 */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
}
/** Set by the global setup: a database migrated once, copied for each test file. */
export const TEMPLATE_ENV = 'AURALINK_TEST_TEMPLATE';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function withAdminClient<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** A fresh database: a copy of the migrated template, or empty with `{ empty: true }`. */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `auralink_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = options.empty ? 'template0' : process.env[TEMPLATE_ENV];
  if (!template) throw new Error(`${TEMPLATE_ENV} is not set: run the tests through jest (its global setup migrates the template)`);
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: withDatabase(testDatabaseUrl(), name),
    drop: () => withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
