import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { AnalyticsContext } from '../context';
import { InsightStatus } from '../services/cost-insight.service';
import { CostInsightType, costInsightTypeOf } from '../types/cost-insight.type';

@Resolver()
export class CostInsightResolver {
  @Query(() => [CostInsightType], { nullable: true, description: 'Your organization’s cost insights (at most 100), largest saving first.' })
  @RequiresPermission('analytics', 'read')
  async costInsights(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('status', () => InsightStatus, { nullable: true }) status: InsightStatus | undefined,
    @Ctx() context: AnalyticsContext,
  ): Promise<CostInsightType[]> {
    return (await context.services.costInsights.list(requirePrincipal(context), organizationId, status)).map(costInsightTypeOf);
  }

  @Mutation(() => CostInsightType, {
    description: 'Marks an insight applied or dismissed (or open again). NOT_FOUND outside your organization.',
  })
  @RequiresPermission('analytics', 'write')
  async updateCostInsight(
    @Arg('id', () => ID) id: string,
    @Arg('status', () => InsightStatus) status: InsightStatus,
    @Ctx() context: AnalyticsContext,
  ): Promise<CostInsightType> {
    return costInsightTypeOf(await context.services.costInsights.setStatus(requirePrincipal(context), id, status));
  }
}
