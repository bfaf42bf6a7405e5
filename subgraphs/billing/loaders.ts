import DataLoader from 'dataloader';
import type { Subscription } from './entities/subscription.entity';
import type { BillingServices } from './services';

export interface BillingLoaders {
  subscriptionByOrganizationId: DataLoader<string, Subscription>;
}

export function createBillingLoaders(services: BillingServices): BillingLoaders {
  return {
    subscriptionByOrganizationId: new DataLoader(async (ids) => {
      const subscriptions = await services.subscriptions.currentFor(ids);
      const byOrganization = new Map(subscriptions.map((subscription) => [subscription.organizationId, subscription]));
      return ids.map((id) => byOrganization.get(id) ?? new Error(`No subscription for organization ${id}`));
    }),
  };
}
