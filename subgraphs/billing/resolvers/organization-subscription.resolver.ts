import { RequiresPermission } from '../../../platform/access-directives';
import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { requireOrganization } from '../../../platform/context';
import type { BillingContext } from '../context';
import { Subscription } from '../entities/subscription.entity';
import { BillingOrganization } from '../types/organization.type';
import { EntitlementType } from '../types/entitlement.type';

@Resolver(() => BillingOrganization)
export class OrganizationSubscriptionResolver {
  @FieldResolver(() => Subscription, {
    nullable: true,
    description: 'The current subscription; a new organization is on the Free plan. Null when billing does not answer.',
  })
  @RequiresPermission('billing', 'read')
  async subscription(@Root() organization: BillingOrganization, @Ctx() context: BillingContext): Promise<Subscription> {
    return context.loaders.subscriptionByOrganizationId.load(organization.id);
  }

  @FieldResolver(() => [EntitlementType], {
    nullable: true,
    description: 'What the plan allows of each metered feature this billing period, and what is left (three features: no page size).',
  })
  @RequiresPermission('billing', 'read')
  async entitlements(@Root() organization: BillingOrganization, @Ctx() context: BillingContext): Promise<EntitlementType[]> {
    return context.services.quota.entitlementsOf(organization.id);
  }
}

export const billingOrganizationReference = {
  __resolveReference: ({ id }: { id: string }, context: BillingContext): BillingOrganization => {
    requireOrganization(context, id, 'id');
    return { id };
  },
};
