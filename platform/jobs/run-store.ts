import { organizationTopic } from '../events';

/** What a run is, as an organization's admin sees it (`jobs`, `job(id)`, `jobUpdates`). */
export type JobRunStatus = 'queued' | 'running' | 'retrying' | 'completed' | 'failed' | 'cancelled';

export interface JobRunRecord {
  id: string;
  /** The job, `<subgraph>.<verb-noun>`. */
  job: string;
  organizationId: string;
  status: JobRunStatus;
  /** Times it was started (a retry is another attempt). */
  attempts: number;
  /** Attempts it gets in all (its retries and the first). */
  maxAttempts: number;
  progress: { done: number; total: number } | null;
  /** The error of its latest failed attempt, while it is retrying or once it failed. */
  lastError: string | null;
  result: Record<string, unknown> | null;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** When a retrying run is tried again. */
  nextAttemptAt: Date | null;
}

export interface JobRunQuery {
  organizationId: string;
  job?: string | null;
  statuses?: readonly JobRunStatus[] | null;
  first: number;
}

/** What the worker announces when one of an organization's runs changes (started, progressed, ended). */
export interface JobRunUpdate {
  id: string;
  name: string;
  organizationId: string;
}

export const jobUpdatesTopic = (organizationId: string) => organizationTopic('jobs', organizationId);

const STATES: Record<string, JobRunStatus> = {
  created: 'queued',
  retry: 'retrying',
  active: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};
const STATE_OF = Object.fromEntries(Object.entries(STATES).map(([state, status]) => [status, state])) as Record<JobRunStatus, string>;

/**
 * The runs of one organization (those whose payload names it), read from pg-boss's tables:
 * its live jobs and its archive (completed runs move there after 12 hours and stay 7 days),
 * with the progress the runner keeps. Runs for every organization at once (a nightly
 * schedule) belong to none, and dead-letter copies and pg-boss's own queues are left out.
 */
export class JobRunStore {
  constructor(
    private readonly query: (sql: string, values: unknown[]) => Promise<any[]>,
    private readonly schema: string,
  ) {}

  async list(request: JobRunQuery): Promise<JobRunRecord[]> {
    const states = request.statuses?.length ? request.statuses.map((status) => STATE_OF[status]) : null;
    return this.select(
      `r.organization_id = $1 AND ($2::text IS NULL OR r.name = $2) AND ($3::text[] IS NULL OR r.state::text = ANY($3::text[]))
       ORDER BY r.created_on DESC, r.id DESC LIMIT $4`,
      [request.organizationId, request.job ?? null, states, request.first],
    );
  }

  async get(organizationId: string, id: string): Promise<JobRunRecord | null> {
    const [run] = await this.select('r.organization_id = $1 AND r.id = $2::uuid LIMIT 1', [organizationId, id]);
    return run ?? null;
  }

  private async select(where: string, values: unknown[]): Promise<JobRunRecord[]> {
    const runs = (table: string) => `
      SELECT id, name, data->>'organizationId' AS organization_id, state, retry_count, retry_limit, output,
             created_on, started_on, completed_on, start_after
        FROM "${this.schema}".${table}
       WHERE data->>'organizationId' = $1 AND name NOT LIKE '\\_\\_pgboss\\_\\_%' AND name NOT LIKE '%.dead-letter'`;
    let rows: any[];
    try {
      rows = await this.query(
        `SELECT r.*, p.done, p.total FROM (${runs('job')} UNION ALL ${runs('archive')}) r
           LEFT JOIN "${this.schema}".job_progress p ON p.job_id = r.id
          WHERE ${where}`,
        values,
      );
    } catch (error) {
      // No worker has started yet: no queues, so no runs.
      if ((error as { code?: string }).code === '42P01') return [];
      throw error;
    }
    return rows.map(recordOf);
  }
}

function recordOf(row: any): JobRunRecord {
  const status = STATES[row.state] ?? 'queued';
  const output = (row.output ?? null) as Record<string, unknown> | null;
  const started = row.started_on !== null;
  const ended = status === 'completed' || status === 'failed' || status === 'cancelled';
  return {
    id: row.id,
    job: row.name,
    organizationId: row.organization_id,
    status,
    attempts: started ? Number(row.retry_count) + 1 : 0,
    maxAttempts: Number(row.retry_limit) + 1,
    progress: row.done === null || row.done === undefined ? null : { done: Number(row.done), total: Number(row.total) },
    lastError: status === 'completed' || !output || typeof output.message !== 'string' ? null : output.message,
    result: status === 'completed' ? output : null,
    queuedAt: row.created_on,
    startedAt: row.started_on,
    finishedAt: ended ? row.completed_on : null,
    nextAttemptAt: status === 'retrying' ? row.start_after : null,
  };
}
