import { loadConfig } from '../platform/config';
import type { Config } from '../platform/config';

/**
 * The bench harness's own settings. They are not the product's (platform/config.ts reads
 * those): they say where the harness finds a PostgreSQL server to create its databases on
 * and a Redis, and how much its servers log. Unset, the harness uses what the tests use.
 */
export const BENCH_DATABASE_URL =
  process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL || process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
export const BENCH_LOG_LEVEL = process.env.BENCH_LOG_LEVEL || 'warn';

/**
 * The issuer and audience the bench's servers run with: the config's defaults, which
 * stack.ts passes to every server explicitly; data.ts signs the callers' tokens for them.
 */
export const BENCH_AUTH: Pick<Config['auth'], 'issuer' | 'audience'> = loadConfig({}).auth;
