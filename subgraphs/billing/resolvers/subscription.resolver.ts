import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { BillingContext } from '../context';
import { PlanCode } from '../entities/plan.entity';
import { Subscription } from '../entities/subscription.entity';
import { CreateSubscriptionInput } from '../inputs/create-subscription.input';
import { PlanChange } from '../types/plan-change.type';
import { SubscriptionUsage } from '../types/subscription-usage.type';
import { UsageSummaryType } from '../types/usage-summary.type';

@Resolver(() => Subscription)
export class SubscriptionResolver {
  @Query(() => Subscription, { nullable: true, description: 'A subscription of your organization, by id.' })
  @RequiresPermission('billing', 'read')
  async billingSubscription(@Arg('id', () => ID) id: string, @Ctx() context: BillingContext): Promise<Subscription> {
    return context.services.subscriptions.get(requirePrincipal(context), id);
  }

  @Query(() => Subscription, {
    nullable: true,
    description: "An organization's (yours) current subscription; Free when it never subscribed.",
  })
  @RequiresPermission('billing', 'read')
  async organizationSubscription(
    @Arg('organizationId', () => ID) organizationId: string,
    @Ctx() context: BillingContext,
  ): Promise<Subscription> {
    return context.services.subscriptions.forOrganization(requirePrincipal(context), organizationId);
  }

  @Mutation(() => Subscription, {
    description: 'Subscribes an organization with no live subscription (after a cancellation), optionally with a trial.',
  })
  @RequiresPermission('billing', 'update')
  async createSubscription(@Arg('input') input: CreateSubscriptionInput, @Ctx() context: BillingContext): Promise<Subscription> {
    return context.services.subscriptions.create(requirePrincipal(context), input);
  }

  @Mutation(() => PlanChange, {
    description: 'Changes the plan: an upgrade now, with the prorated difference charged; a downgrade at the end of the period.',
  })
  @RequiresPermission('billing', 'update')
  async changeSubscriptionPlan(
    @Arg('id', () => ID) id: string,
    @Arg('planCode', () => PlanCode) planCode: PlanCode,
    @Ctx() context: BillingContext,
  ): Promise<PlanChange> {
    return context.services.subscriptions.changePlan(requirePrincipal(context), id, planCode);
  }

  @Mutation(() => Subscription, { description: 'Cancels at the end of the period (the default: it stays live until then) or now.' })
  @RequiresPermission('billing', 'update')
  async cancelSubscription(
    @Arg('id', () => ID) id: string,
    @Arg('atPeriodEnd', () => Boolean, { defaultValue: true }) atPeriodEnd: boolean,
    @Ctx() context: BillingContext,
  ): Promise<Subscription> {
    return context.services.subscriptions.cancel(requirePrincipal(context), id, atPeriodEnd);
  }

  @FieldResolver(() => SubscriptionUsage, { description: 'The live quota of the current period.' })
  async usage(@Root() subscription: Subscription, @Ctx() context: BillingContext): Promise<SubscriptionUsage> {
    return context.services.quota.liveUsage(subscription);
  }

  @FieldResolver(() => UsageSummaryType, {
    description: 'Included, used, overage and cost per allowance, for the current period or the one starting at `periodStart`.',
  })
  async usageSummary(
    @Root() subscription: Subscription,
    @Arg('periodStart', () => Date, { nullable: true }) periodStart: Date | undefined,
    @Ctx() context: BillingContext,
  ): Promise<UsageSummaryType> {
    return context.services.quota.summary(subscription, periodStart ?? undefined);
  }
}
