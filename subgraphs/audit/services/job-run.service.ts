import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, NotFoundError } from '../../../platform/errors';
import type { EventBus } from '../../../platform/events';
import { jobUpdatesTopic } from '../../../platform/jobs/run-store';
import type { JobRunRecord, JobRunStatus, JobRunStore, JobRunUpdate } from '../../../platform/jobs/run-store';
import { MAX_PAGE_SIZE } from '../../../platform/limits/page-size';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JOB_NAME = /^[a-z][a-z0-9-]*\.[a-z0-9.-]+$/;

/**
 * An organization's background job runs for its admins: the runs whose payload names the
 * organization (one organization's runs of the worker's jobs), never another's.
 */
export class JobRunService {
  constructor(
    private readonly store: JobRunStore,
    private readonly events: EventBus | null,
  ) {}

  async list(
    principal: Principal,
    organizationId: string,
    filter: { job?: string | null; statuses?: JobRunStatus[] | null },
    first: number,
  ): Promise<JobRunRecord[]> {
    assertOwnOrganization(principal, organizationId);
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
      throw new BadUserInputError(`first: between 1 and ${MAX_PAGE_SIZE}`, 'first');
    if (filter.job != null && (filter.job.length > 100 || !JOB_NAME.test(filter.job)))
      throw new BadUserInputError('filter.job: a job name, <subgraph>.<verb-noun> (e.g. audit.archive-events)', 'filter.job');
    return this.store.list({ organizationId, job: filter.job ?? null, statuses: filter.statuses ?? null, first });
  }

  /** A run of the caller's organization; another's, or none, is NOT_FOUND. */
  async get(principal: Principal, id: string): Promise<JobRunRecord> {
    const run = UUID.test(id) ? await this.store.get(principal.organizationId, id) : null;
    if (!run) throw new NotFoundError('JobRun', id, 'id');
    return run;
  }

  /** The organization's run changes as the worker announces them (the caller checked the organization). */
  live(organizationId: string): AsyncIterableIterator<JobRunUpdate> {
    if (!this.events) throw new Error('job runs: no event bus');
    return this.events.subscribe<JobRunUpdate>(jobUpdatesTopic(organizationId));
  }
}
