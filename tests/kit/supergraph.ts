import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { startSupergraph } from '../../runtime/supergraph';
import type { RunningSupergraph } from '../../runtime/supergraph';
import { loadConfig } from '../../platform/config';
import type { Config } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { SUBGRAPH_SECRET_HEADER } from '../../platform/subgraph-credential';
import { execute } from './client';
import type { Exchange, RequestOptions } from './client';
import { createTestDatabase } from './database';
import { deleteRedisKeys } from './redis';
import type { TestDatabase } from './database';
import { Seed } from './seed';
import { DEFAULT_TEST_REDIS_URL } from './test-services';

export interface TestSupergraph extends RunningSupergraph {
  config: Config;
  database: TestDatabase;
  seed: Seed;
  /** Sends an operation through the gateway. */
  gateway<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables> | string,
    variables?: TVariables,
    options?: RequestOptions,
  ): Promise<Exchange<TData>>;
  stop(): Promise<void>;
}

/** The header that lets a test call a subgraph's `_entities` as the gateway does. */
export function gatewayCredential(config: Config): Record<string, string> {
  return { [SUBGRAPH_SECRET_HEADER]: config.subgraph.secret! };
}

export function testConfig(overrides: NodeJS.ProcessEnv = {}): Config {
  const prefix = overrides.EVENT_STREAM_PREFIX ?? `auralink-test:${process.pid}:${randomBytes(3).toString('hex')}`;
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    SECRETS_KEY: randomBytes(32).toString('base64'),
    SUBGRAPH_SECRET: randomBytes(32).toString('base64'),
    DATABASE_POOL_MAX: '4',
    // Every request of a test comes from 127.0.0.1: only the rate limit tests set budgets that bind.
    RATE_LIMIT_ANONYMOUS: '1000000',
    RATE_LIMIT_USER: '1000000',
    RATE_LIMIT_ORGANIZATION: '1000000',
    SIGN_IN_IP_MAX_FAILURES: '1000000',
    RATE_LIMIT_KEY_PREFIX: `auralink-test:${randomBytes(6).toString('hex')}:ratelimit`,
    // Redis is shared by concurrent test runs: each config has streams of its own.
    EVENT_STREAM_PREFIX: prefix,
    // The decision stream too: under the prefix, so a run's audit reads its own decisions and stop() deletes it.
    AUDIT_DECISION_STREAM: `${prefix}:authz-decisions`,
    ...overrides,
  });
}

/** The Redis of this run, for tests of what crosses processes: the machine's, or the one the global setup started. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || DEFAULT_TEST_REDIS_URL;

/**
 * The six subgraphs and the gateway on free ports, over a database of this test file's own;
 * `env` adds settings. With `GATEWAY_PORT` in `env` the gateway takes that port (a peer such
 * as an identity provider must know its address before it starts).
 */
export async function startTestSupergraph(env: NodeJS.ProcessEnv = {}): Promise<TestSupergraph> {
  const database = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'auralink-test-'));
  const config = testConfig({ ...env, DATABASE_URL: database.url, DATA_DIR: dataDir });
  const running = await startSupergraph({
    config,
    logger: createLogger(config.logLevel),
    databaseUrl: database.url,
    ports: 'ephemeral',
    gatewayPort: env.GATEWAY_PORT ? Number(env.GATEWAY_PORT) : undefined,
    migrate: false,
  });
  return {
    ...running,
    config,
    database,
    seed: new Seed(config, running.dataSources, running.access, running.messaging, running.events),
    gateway: (document, variables, options) => execute(running.gatewayUrl, document, variables, options),
    stop: async () => {
      await running.close();
      if (config.redisUrl) await deleteRedisKeys(config.redisUrl, config.events.streamPrefix);
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
