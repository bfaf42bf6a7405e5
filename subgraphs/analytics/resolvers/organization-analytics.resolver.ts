import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { AnalyticsContext } from '../context';
import { AiUsageGrouping } from '../services/ai-usage.service';
import { AnalyticsPeriod } from '../services/organization-analytics.service';
import { timeRange } from '../services/time-range';
import { AiUsageReportType, aiUsageReportTypeOf } from '../types/ai-usage-report.type';
import { CallQualityReportType } from '../types/call-quality-report.type';
import { CostReportDayType, costReportDayTypeOf } from '../types/cost-report.type';
import { OrganizationAnalyticsType, organizationAnalyticsTypeOf } from '../types/organization-analytics.type';

@Resolver()
export class OrganizationAnalyticsResolver {
  @Query(() => OrganizationAnalyticsType, {
    nullable: true,
    description: 'Your organization’s overview and AI usage for the day or month holding `at` (default now), from the materialized views.',
  })
  @RequiresPermission('analytics', 'read')
  async organizationAnalytics(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('period', () => AnalyticsPeriod, { defaultValue: AnalyticsPeriod.MONTHLY }) period: AnalyticsPeriod,
    @Arg('at', () => Date, { nullable: true }) at: Date | undefined,
    @Ctx() context: AnalyticsContext,
  ): Promise<OrganizationAnalyticsType> {
    return organizationAnalyticsTypeOf(
      await context.services.organizationAnalytics.forOrganization(requirePrincipal(context), organizationId, period, at),
    );
  }

  @Query(() => [CostReportDayType], {
    nullable: true,
    description: 'Cost per UTC day in [from, to) (default the last 30 days, at most 366).',
  })
  @RequiresPermission('analytics', 'read')
  async costReport(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('from', () => Date, { nullable: true }) from: Date | undefined,
    @Arg('to', () => Date, { nullable: true }) to: Date | undefined,
    @Ctx() context: AnalyticsContext,
  ): Promise<CostReportDayType[]> {
    const range = timeRange(from, to, 30 * 86_400_000);
    const days = await context.services.organizationAnalytics.costReport(requirePrincipal(context), organizationId, range.from, range.to);
    return days.map(costReportDayTypeOf);
  }

  @Query(() => CallQualityReportType, {
    nullable: true,
    description: 'Quality of your organization’s calls started in [from, to) (default the last 30 days).',
  })
  @RequiresPermission('analytics', 'read')
  async callQuality(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('from', () => Date, { nullable: true }) from: Date | undefined,
    @Arg('to', () => Date, { nullable: true }) to: Date | undefined,
    @Ctx() context: AnalyticsContext,
  ): Promise<CallQualityReportType> {
    return context.services.callQuality.report(requirePrincipal(context), organizationId, { from, to });
  }

  @Query(() => AiUsageReportType, {
    nullable: true,
    description: 'AI use and cost in [from, to) (default the last 30 days) by feature, model, user or day.',
  })
  @RequiresPermission('analytics', 'read')
  async aiUsage(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('groupBy', () => AiUsageGrouping, { defaultValue: AiUsageGrouping.FEATURE }) groupBy: AiUsageGrouping,
    @Arg('from', () => Date, { nullable: true }) from: Date | undefined,
    @Arg('to', () => Date, { nullable: true }) to: Date | undefined,
    @Ctx() context: AnalyticsContext,
  ): Promise<AiUsageReportType> {
    return aiUsageReportTypeOf(await context.services.aiUsage.report(requirePrincipal(context), organizationId, { from, to }, groupBy));
  }
}
