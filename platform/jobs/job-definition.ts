import type { Logger } from '../logger';

/**
 * One background job of a subgraph: what the worker (pg-boss) runs, on a schedule or when
 * asked, and what `npm run job -- <name>` runs once. Each subgraph lists its jobs from its
 * own `jobs/` folder (`SubgraphDefinition.jobs`); the handler calls the subgraph's services.
 */
export interface JobDefinition<Services = unknown, Payload extends object = JobPayload> {
  /** `<subgraph>.<verb-noun>`, e.g. `billing.issue-invoices`: the queue's name and the CLI's. */
  name: string;
  /** What it does, for the `jobs` query and the CLI's listing. */
  description: string;
  /** Cron (five fields, UTC) when it runs by itself; none when it runs only when asked. */
  schedule?: string;
  /** How many times a failed run is tried again (default 2, as the seed's DAGs). */
  retryLimit?: number;
  /** Seconds before the first retry; later ones back off exponentially (default 30). */
  retryDelaySeconds?: number;
  /** A run still going after this many seconds has failed (default 15 minutes). */
  timeoutSeconds?: number;
  /**
   * Runs of this job at the same time across every worker (default 1): each worker runs up
   * to this many, and they share this many slots (advisory locks), so more workers do not
   * raise it.
   */
  concurrency?: number;
  run(context: JobContext<Payload>, services: Services): Promise<JobResult | void>;
}

/** What a run is asked to do: an organization to limit it to, or nothing (all). */
export interface JobPayload {
  organizationId?: string;
}

export interface JobContext<Payload extends object = JobPayload> {
  /** pg-boss's id of this run. */
  id: string;
  payload: Payload;
  logger: Logger;
  /** Aborted when the worker stops or the run times out: stop at the next safe point. */
  signal: AbortSignal;
  /** Reports how far the run is (`done` of `total` items), shown by `job(id)` and `jobUpdates`. */
  progress(done: number, total: number): Promise<void>;
}

/** What a run reports when it ends, kept with the run (counts, ids). */
export type JobResult = Record<string, string | number | boolean | null>;

export function defineJob<Services, Payload extends object = JobPayload>(
  definition: JobDefinition<Services, Payload>,
): JobDefinition<Services, Payload> {
  return definition;
}
