import type { SubgraphDependencies } from '../../../platform/subgraph';
import { PlanService } from './plan.service';
import { SubscriptionService } from './subscription.service';

export interface BillingServices {
  plans: PlanService;
  subscriptions: SubscriptionService;
}

export function createBillingServices({ dataSource }: Pick<SubgraphDependencies, 'dataSource'>): BillingServices {
  return { plans: new PlanService(dataSource), subscriptions: new SubscriptionService(dataSource) };
}
