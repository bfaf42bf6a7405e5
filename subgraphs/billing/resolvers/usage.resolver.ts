import { Arg, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requireOrganization, requirePrincipal } from '../../../platform/context';
import type { BillingContext } from '../context';
import { UsageRecordInput } from '../inputs/usage-record.input';
import type { UsageAlertFact } from '../services/usage.service';
import { UsageAlertType } from '../types/usage-alert.type';
import { UsageRecorded } from '../types/usage-recorded.type';
import { UsageSummaryType } from '../types/usage-summary.type';

@Resolver()
export class UsageResolver {
  @Mutation(() => UsageRecorded, { description: 'Records one metered use; a retry with the same idempotency key counts once.' })
  @RequiresPermission('billing', 'update')
  async recordUsage(@Arg('input') input: UsageRecordInput, @Ctx() context: BillingContext): Promise<UsageRecorded> {
    const [recorded] = await context.services.usage.recordFor(requirePrincipal(context), [input]);
    return recorded;
  }

  @Mutation(() => [UsageRecorded], { description: 'Records up to 500 uses at once: all of them, or none when one key conflicts.' })
  @RequiresPermission('billing', 'update')
  async recordUsageBatch(
    @Arg('input', () => [UsageRecordInput]) input: UsageRecordInput[],
    @Ctx() context: BillingContext,
  ): Promise<UsageRecorded[]> {
    return context.services.usage.recordFor(requirePrincipal(context), input);
  }

  @Query(() => UsageSummaryType, {
    nullable: true,
    description:
      "Your organization's usage per allowance: included, used, overage and its cost, for the current period or the one starting at `periodStart`.",
  })
  @RequiresPermission('billing', 'read')
  async usageSummary(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('periodStart', () => Date, { nullable: true }) periodStart: Date | undefined,
    @Ctx() context: BillingContext,
  ): Promise<UsageSummaryType> {
    return context.services.quota.summaryFor(requirePrincipal(context), organizationId, periodStart ?? undefined);
  }

  @Subscription(() => UsageAlertType, {
    description: 'Your organization reaching 80% and 100% of what its plan includes, as it happens.',
    subscribe: ({ args, context }) => {
      const organizationId = (args as { organizationId: string }).organizationId;
      requireOrganization(context as BillingContext, organizationId, 'organizationId');
      return (context as BillingContext).services.usage.alerts(organizationId);
    },
  })
  @RequiresPermission('billing', 'read')
  usageAlerts(@Arg('organizationId', () => ID) _organizationId: string, @Root() alert: UsageAlertFact): UsageAlertFact {
    return alert;
  }
}
