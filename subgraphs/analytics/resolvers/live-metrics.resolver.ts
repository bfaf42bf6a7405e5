import { Arg, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { RequiresEntitlement } from '../../../platform/entitlements/entitlement-directive';
import { requireOrganization, requirePrincipal } from '../../../platform/context';
import type { AnalyticsContext } from '../context';
import { MetricsSnapshot, ReportLiveMetricsInput } from '../types/metrics.type';

@Resolver(() => MetricsSnapshot)
export class LiveMetricsResolver {
  @Query(() => MetricsSnapshot, { nullable: true, description: "Your token's organization's live call figures now." })
  @RequiresPermission('analytics', 'read')
  async liveMetrics(@Ctx() context: AnalyticsContext): Promise<MetricsSnapshot> {
    return context.services.liveMetrics.current(requirePrincipal(context).organizationId);
  }

  @Mutation(() => MetricsSnapshot, {
    description:
      "Reports live call figures (media servers call this); subscribers see them at once. PAYMENT_REQUIRED once the plan's call minutes are used up.",
  })
  @RequiresPermission('analytics', 'write')
  @RequiresEntitlement('call_minutes')
  async reportLiveMetrics(
    @Arg('input', () => ReportLiveMetricsInput) input: ReportLiveMetricsInput,
    @Ctx() context: AnalyticsContext,
  ): Promise<MetricsSnapshot> {
    return context.services.liveMetrics.report(requirePrincipal(context).organizationId, input);
  }

  @Subscription(() => MetricsSnapshot, {
    description: 'Live call figures of an organization (yours): the current ones at once, then on every report and every few seconds.',
    subscribe: ({ args, context }) => {
      const organizationId = (args as { organizationId: string }).organizationId;
      requireOrganization(context as AnalyticsContext, organizationId, 'organizationId');
      return (context as AnalyticsContext).services.liveMetrics.subscribe(organizationId);
    },
  })
  @RequiresPermission('analytics', 'read')
  realtimeMetrics(@Arg('organizationId', () => ID) _organizationId: string, @Root() snapshot: MetricsSnapshot): MetricsSnapshot {
    return { ...snapshot, organization: { id: snapshot.organizationId } };
  }
}
