import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { AnalyticsContext } from '../context';
import { CreateReportInput } from '../types/create-report.input';
import { ReportGrouping } from '../types/report-enums';
import { ReportRunType, reportRunTypeOf } from '../types/report-run.type';
import { ReportType, reportTypeOf } from '../types/report.type';
import { UpdateReportInput } from '../types/update-report.input';

@Resolver()
export class ReportResolver {
  @Query(() => [ReportType], { description: 'Your organization’s saved reports (at most 100).' })
  @RequiresPermission('analytics', 'read')
  async reports(@Arg('organizationId', () => ID) organizationId: string, @Ctx() context: AnalyticsContext): Promise<ReportType[]> {
    return (await context.services.reports.list(requirePrincipal(context), organizationId)).map(reportTypeOf);
  }

  @Query(() => ReportType, { description: 'NOT_FOUND outside your organization.' })
  @RequiresPermission('analytics', 'read')
  async report(@Arg('id', () => ID) id: string, @Ctx() context: AnalyticsContext): Promise<ReportType> {
    return reportTypeOf(await context.services.reports.get(requirePrincipal(context), id));
  }

  @Query(() => [ReportRunType], { description: 'A report’s runs, newest first (the last 50 are kept).' })
  @RequiresPermission('analytics', 'read')
  async reportRuns(
    @Arg('reportId', () => ID) reportId: string,
    @Arg('first', () => Int, { defaultValue: 20, description: '1 to 50.' }) first: number,
    @Ctx() context: AnalyticsContext,
  ): Promise<ReportRunType[]> {
    return (await context.services.reports.runs(requirePrincipal(context), reportId, first)).map(reportRunTypeOf);
  }

  @Query(() => ReportRunType, { description: 'NOT_FOUND outside your organization.' })
  @RequiresPermission('analytics', 'read')
  async reportRun(@Arg('id', () => ID) id: string, @Ctx() context: AnalyticsContext): Promise<ReportRunType> {
    return reportRunTypeOf(await context.services.reports.getRun(requirePrincipal(context), id));
  }

  @Mutation(() => ReportType, { description: 'Saves a custom report (BAD_USER_INPUT names what the catalogue cannot compute).' })
  @RequiresPermission('analytics', 'write')
  async createReport(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('input', () => CreateReportInput) input: CreateReportInput,
    @Ctx() context: AnalyticsContext,
  ): Promise<ReportType> {
    return reportTypeOf(
      await context.services.reports.create(requirePrincipal(context), organizationId, {
        ...input,
        groupBy: input.groupBy ?? ReportGrouping.NONE,
        filters: { ...input.filters },
        schedule: input.schedule ?? null,
      }),
    );
  }

  @Mutation(() => ReportType, { description: 'Changes a report; NOT_FOUND outside your organization.' })
  @RequiresPermission('analytics', 'write')
  async updateReport(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateReportInput) input: UpdateReportInput,
    @Ctx() context: AnalyticsContext,
  ): Promise<ReportType> {
    const { name, metrics, groupBy, period, format, filters, schedule } = input;
    return reportTypeOf(
      await context.services.reports.update(requirePrincipal(context), id, {
        name: name ?? undefined,
        metrics: metrics ?? undefined,
        groupBy: groupBy ?? undefined,
        period: period ?? undefined,
        format: format ?? undefined,
        filters: filters === undefined ? undefined : { ...filters },
        schedule,
      }),
    );
  }

  @Mutation(() => ID, { description: 'Deletes a report and its runs; answers its id.' })
  @RequiresPermission('analytics', 'write')
  async deleteReport(@Arg('id', () => ID) id: string, @Ctx() context: AnalyticsContext): Promise<string> {
    return context.services.reports.delete(requirePrincipal(context), id);
  }

  @Mutation(() => ReportRunType, {
    description:
      'Queues a run now, over the report’s period or [from, to) (both, at most 366 days). The job worker computes it within a minute; at most 3 runs of a report wait at once (CONFLICT).',
  })
  @RequiresPermission('analytics', 'write')
  async runReport(
    @Arg('id', () => ID) id: string,
    @Arg('from', () => Date, { nullable: true }) from: Date | undefined,
    @Arg('to', () => Date, { nullable: true }) to: Date | undefined,
    @Ctx() context: AnalyticsContext,
  ): Promise<ReportRunType> {
    return reportRunTypeOf(await context.services.reports.run(requirePrincipal(context), id, { from, to }));
  }
}
