import { Arg, Ctx, ID, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requireOrganization, requirePrincipal } from '../../../platform/context';
import type { JobRunRecord, JobRunUpdate } from '../../../platform/jobs/run-store';
import { DEFAULT_PAGE_SIZE } from '../../../platform/limits/page-size';
import type { AuditContext } from '../context';
import { JobRunFilterInput } from '../types/job-run-filter.input';
import { JobRunType } from '../types/job-run.type';

@Resolver()
export class JobRunResolver {
  @Query(() => [JobRunType], {
    name: 'jobs',
    description: 'Your organization’s background job runs, newest first (at most 100): status, attempts, progress, last error.',
  })
  @RequiresPermission('jobs', 'read')
  async listJobs(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('filter', () => JobRunFilterInput, { nullable: true }) filter: JobRunFilterInput | null,
    @Arg('first', () => Int, { defaultValue: DEFAULT_PAGE_SIZE }) first: number,
    @Ctx() context: AuditContext,
  ): Promise<JobRunRecord[]> {
    return context.services.jobRuns.list(requirePrincipal(context), organizationId, filter ?? {}, first);
  }

  @Query(() => JobRunType, { name: 'job', description: 'One run of a background job of your organization.' })
  @RequiresPermission('jobs', 'read')
  async getJob(@Arg('id', () => ID) id: string, @Ctx() context: AuditContext): Promise<JobRunRecord> {
    return context.services.jobRuns.get(requirePrincipal(context), id);
  }

  @Subscription(() => JobRunType, {
    name: 'jobUpdates',
    description: 'Your organization’s job runs as they start, report progress, complete or fail (each event the run as it is then).',
    subscribe: ({ args, context }) => {
      const { organizationId } = args as { organizationId: string };
      const audit = context as AuditContext;
      requireOrganization(audit, organizationId, 'organizationId');
      return audit.services.jobRuns.live(organizationId);
    },
  })
  @RequiresPermission('jobs', 'read')
  async jobUpdateStream(
    @Arg('organizationId', () => ID) _organizationId: string,
    @Root() update: JobRunUpdate,
    @Ctx() context: AuditContext,
  ): Promise<JobRunRecord> {
    return context.services.jobRuns.get(requirePrincipal(context), update.id);
  }
}
