import type { DataSource } from 'typeorm';
import { SUBGRAPHS } from '../subgraphs';
import { SUBGRAPH_NAMES } from '../platform/config';
import type { Config, SubgraphName } from '../platform/config';
import { createAccessControl } from '../platform/authorization/access-control';
import type { AccessControl } from '../platform/authorization/access-control';
import { openDatabase } from '../platform/database';
import { createEventBus } from '../platform/events';
import type { EventBus } from '../platform/events';
import type { Logger } from '../platform/logger';
import { createMessaging } from '../platform/outbox/messaging';
import type { Messaging } from '../platform/outbox/messaging';
import { startJobRunner } from '../platform/jobs/runner';
import type { JobRunner, RegisteredJob } from '../platform/jobs/runner';
import type { JobDefinition } from '../platform/jobs/job-definition';
import { jobUpdatesTopic } from '../platform/jobs/run-store';

/** What the subgraphs' services are built on, as a serving process has it. */
export interface JobDependencies {
  config: Config;
  logger: Logger;
  dataSources: Partial<Record<SubgraphName, DataSource>>;
  access: AccessControl;
  events: EventBus;
  messaging: Messaging;
}

/** The subgraphs that list jobs. */
export const SUBGRAPHS_WITH_JOBS = SUBGRAPH_NAMES.filter((name) => (SUBGRAPHS[name].jobs ?? []).length > 0);

/** Every job of every subgraph, by name (no services: for listings). */
export function jobDefinitions(): JobDefinition<any, any>[] {
  return SUBGRAPHS_WITH_JOBS.flatMap((name) => [...(SUBGRAPHS[name].jobs ?? [])]);
}

/** Every subgraph's jobs, each with its subgraph's services. */
export function registeredJobs(dependencies: JobDependencies): RegisteredJob[] {
  return SUBGRAPHS_WITH_JOBS.flatMap((name) => {
    const dataSource = dependencies.dataSources[name];
    if (!dataSource) throw new Error(`no database for the ${name} subgraph's jobs`);
    const services = SUBGRAPHS[name].createServices({
      config: dependencies.config,
      dataSource,
      logger: dependencies.logger.child({ subgraph: name }),
      access: dependencies.access,
      events: dependencies.events,
      messaging: dependencies.messaging,
    });
    return (SUBGRAPHS[name].jobs ?? []).map((definition) => ({ definition, services }));
  });
}

/**
 * A process of its own (`npm run worker`, `npm run job`): opens the databases of the
 * subgraphs that have jobs (and authz's, for the decision point). It does not migrate:
 * the subgraphs' own processes (or `npm run migrate`) do.
 */
export async function openJobDependencies(
  config: Config,
  logger: Logger,
  databaseUrl: string,
): Promise<JobDependencies & { close(): Promise<void> }> {
  const dataSources: Partial<Record<SubgraphName, DataSource>> = {};
  const opened: DataSource[] = [];
  try {
    for (const name of new Set<SubgraphName>(['authz', ...SUBGRAPHS_WITH_JOBS])) {
      dataSources[name] = await openDatabase(SUBGRAPHS[name].storage, {
        url: databaseUrl,
        poolMax: Math.min(config.database.poolMax, 4),
        applicationName: `auralink-worker-${name}`,
      });
      opened.push(dataSources[name]);
    }
    const access = await createAccessControl(config, dataSources.authz!, logger);
    const events = createEventBus(config.redisUrl, logger);
    const messaging = createMessaging(config, logger);
    return {
      config,
      logger,
      dataSources,
      access,
      events,
      messaging,
      close: async () => {
        await messaging.close();
        await access.close();
        await events.close();
        await Promise.all(opened.map((dataSource) => dataSource.destroy()));
      },
    };
  } catch (error) {
    await Promise.allSettled(opened.map((dataSource) => dataSource.destroy()));
    throw error;
  }
}

/** The worker over every subgraph's jobs, with the settings in `config.jobs`. */
export function startWorker(dependencies: JobDependencies, databaseUrl: string): Promise<JobRunner> {
  const { config } = dependencies;
  return startJobRunner({
    databaseUrl,
    schema: config.jobs.schema,
    logger: dependencies.logger.child({ component: 'jobs' }),
    jobs: registeredJobs(dependencies),
    shutdownGraceSeconds: config.jobs.shutdownGraceSeconds,
    pollingIntervalSeconds: config.jobs.pollingIntervalSeconds,
    // The organization's admins hear it (`jobUpdates`, served by audit).
    onUpdate: (update) => dependencies.events.publish(jobUpdatesTopic(update.organizationId), update),
  });
}
