import type { Express } from 'express';
import type { AllowlistSource } from './auth/admin-networks';
import type { TokenVerifier } from './auth/token-verifier';
import type { JWTVerifyGetKey } from 'jose';
import type { GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import type { AccessControl } from './authorization/access-control';
import type { Config, SubgraphName } from './config';
import type { EventBus } from './events';
import type { EventConsumer } from './outbox/consumer';
import type { EventType } from './outbox/event-catalogue';
import type { Messaging } from './outbox/messaging';
import type { SubgraphStorage } from './database';
import type { Logger } from './logger';
import type { JobDefinition } from './jobs/job-definition';
import type { MutationAuditSink } from './mutation-audit';

export interface SubgraphDependencies {
  config: Config;
  dataSource: DataSource;
  logger: Logger;
  /** The process's decision point, shared by every subgraph it serves. */
  access: AccessControl;
  /** Live events (Redis pub/sub, or in-process), shared by the process. */
  events: EventBus;
  /** Facts between subgraphs (outbox relays, consumers, receipts) and membership revocations, shared by the process. */
  messaging: Messaging;
}

/**
 * What each subgraph folder's index.ts exports: the same shape for all six, so the
 * platform can build, serve, migrate and compose any of them the same way.
 */
export interface SubgraphDefinition<Services = unknown, Loaders = unknown> {
  name: SubgraphName;
  storage: SubgraphStorage;
  /** The federated schema; built once per process. Needs no database. */
  buildSchema(): Promise<GraphQLSchema>;
  createServices(dependencies: SubgraphDependencies): Services;
  /** Per-request DataLoaders, created fresh for every request. */
  createLoaders(services: Services): Loaders;
  /** Keys to verify session tokens with; by default the JWKS identity publishes (identity itself reads its own). */
  verificationKeys?(services: Services): JWTVerifyGetKey;
  /** Who an API key stands for, asked in the process (identity); every other subgraph asks identity over HTTP. */
  apiKeys?(services: Services): TokenVerifier;
  /** An organization's admin IP allowlist, read in the process (identity); every other subgraph asks identity over HTTP. */
  adminAllowlist?(services: Services): AllowlistSource;
  /** The facts it writes to its outbox (its schema has the `outbox` table); every process serving it runs a relay. */
  publishes?: readonly EventType[];
  /** What it does with other subgraphs' facts (its schema has `processed_events`); run in every process serving it. */
  consumers?(services: Services): EventConsumer[];
  /** Its background jobs (its `jobs/` folder), run by the worker and by `npm run job`. */
  jobs?: readonly JobDefinition<Services, any>[];
  /**
   * Where its mutations' outcomes go (platform/mutation-audit.ts). By default its outbox,
   * when it `publishes` `audit.mutation.recorded` (its schema then has the `outbox` table).
   */
  mutationAudit?(services: Services, dependencies: SubgraphDependencies): MutationAuditSink;
  /** Work that runs while the subgraph is served (stream readers, timers); stopped when the server closes. */
  background?(services: Services, dependencies: SubgraphDependencies): Promise<{ close(): Promise<void> }>;
  /** Extra HTTP routes beside /graphql (identity publishes its JWKS here). */
  routes?(app: Express, services: Services, dependencies: SubgraphDependencies): void;
}

export function defineSubgraph<Services, Loaders>(
  definition: SubgraphDefinition<Services, Loaders>,
): SubgraphDefinition<Services, Loaders> {
  return definition;
}
