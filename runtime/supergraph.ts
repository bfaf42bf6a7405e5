import type { DataSource } from 'typeorm';
import { SUBGRAPHS } from '../subgraphs';
import { SUBGRAPH_NAMES, jwksUrlOf } from '../platform/config';
import type { Config, SubgraphName } from '../platform/config';
import { createAccessControl } from '../platform/authorization/access-control';
import type { AccessControl } from '../platform/authorization/access-control';
import { openDatabase } from '../platform/database';
import { createEventBus } from '../platform/events';
import type { EventBus } from '../platform/events';
import type { Logger } from '../platform/logger';
import { createMessaging } from '../platform/outbox/messaging';
import type { Messaging, MessagingOptions } from '../platform/outbox/messaging';
import { serveSubgraph } from '../platform/server';
import type { RunningServer } from '../platform/server';
import { startGateway } from '../gateway/server';
import type { JobRunner } from '../platform/jobs/runner';
import { startWorker } from './jobs';

export interface SupergraphOptions {
  config: Config;
  logger: Logger;
  databaseUrl: string;
  /** 'configured': the ports in the config; 'ephemeral': free ports (tests). */
  ports: 'configured' | 'ephemeral';
  /** Tests: the gateway on this port though the others are ephemeral, for a peer that must know it first (an identity provider's redirect URI). */
  gatewayPort?: number;
  migrate?: boolean;
  /** Tests: relay and consumer timings. */
  messaging?: MessagingOptions;
  /** Runs the job worker in the process too (`npm start` with JOBS_IN_PROCESS). */
  jobs?: boolean;
}

export interface RunningSupergraph {
  gatewayUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  dataSources: Record<SubgraphName, DataSource>;
  /** The live-event bus all six subgraphs share. */
  events: EventBus;
  /** The decision point all six subgraphs share. */
  access: AccessControl;
  /** Outbox relays, event consumers and membership revocations, shared by the process. */
  messaging: Messaging;
  /** Stops one subgraph's HTTP server (its database stays open), to see how the rest copes. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Starts a stopped subgraph again on the port it had. */
  restartSubgraph(name: SubgraphName): Promise<void>;
  close(): Promise<void>;
}

/**
 * All six subgraphs and the gateway in one process: the embedded default and the
 * end-to-end tests. In production each runs as its own process (bin/serve.ts).
 */
export async function startSupergraph(options: SupergraphOptions): Promise<RunningSupergraph> {
  const { logger } = options;
  let config = options.config;
  const dataSources = {} as Record<SubgraphName, DataSource>;
  const servers = {} as Record<SubgraphName, RunningServer>;
  const ports = {} as Record<SubgraphName, number>;
  let access: AccessControl | undefined;
  let worker: JobRunner | undefined;
  const events: EventBus = createEventBus(config.redisUrl, logger);
  const messaging = createMessaging(config, logger, options.messaging);

  const serve = async (name: SubgraphName, port: number, shared: AccessControl) => {
    servers[name] = await serveSubgraph(
      SUBGRAPHS[name],
      {
        config,
        dataSource: dataSources[name],
        logger,
        access: shared,
        events,
        messaging,
      },
      { host: config.host, port },
    );
    ports[name] = servers[name].port;
  };

  try {
    for (const name of SUBGRAPH_NAMES) {
      dataSources[name] = await openDatabase(SUBGRAPHS[name].storage, {
        url: options.databaseUrl,
        poolMax: config.database.poolMax,
        applicationName: `auralink-${name}`,
        migrate: options.migrate !== false,
      });
    }
    const shared = await createAccessControl(config, dataSources.authz, logger);
    access = shared;
    // Identity first: the others verify tokens against the keys it publishes.
    for (const name of SUBGRAPH_NAMES) {
      await serve(name, options.ports === 'configured' ? config.subgraphs[name].port : 0, shared);
      if (name === 'identity') config = { ...config, auth: { ...config.auth, jwksUrl: jwksUrlOf(servers.identity.url) } };
      // Those served later reach it where it listens (compliance asks audit to verify a chain).
      config = { ...config, subgraphs: { ...config.subgraphs, [name]: { ...config.subgraphs[name], url: servers[name].url } } };
    }
    // Every relay and consumer is registered: events start to flow, revocations are loaded.
    await messaging.start();
    const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, servers[name].url])) as Record<SubgraphName, string>;
    const gateway = await startGateway({
      config,
      logger,
      host: config.host,
      port: options.ports === 'configured' ? config.gateway.port : (options.gatewayPort ?? 0),
      subgraphUrls,
      revocations: messaging.revocations,
      messaging,
    });
    worker = options.jobs
      ? await startWorker({ config, logger, dataSources, access: shared, events, messaging }, options.databaseUrl)
      : undefined;

    return {
      gatewayUrl: gateway.url,
      subgraphUrls,
      dataSources,
      access: shared,
      events,
      messaging,
      stopSubgraph: async (name) => servers[name].close(),
      restartSubgraph: async (name) => serve(name, ports[name], shared),
      close: async () => {
        await worker?.close();
        await gateway.close();
        await Promise.all(SUBGRAPH_NAMES.map((name) => servers[name].close()));
        await messaging.close();
        await shared.close();
        await events.close();
        await Promise.all(SUBGRAPH_NAMES.map((name) => dataSources[name].destroy()));
      },
    };
  } catch (error) {
    await worker?.close();
    await Promise.allSettled(Object.values(servers).map((server) => server.close()));
    await messaging.close();
    await access?.close();
    await events.close();
    await Promise.allSettled(
      Object.values(dataSources)
        .filter((d) => d.isInitialized)
        .map((d) => d.destroy()),
    );
    throw error;
  }
}
