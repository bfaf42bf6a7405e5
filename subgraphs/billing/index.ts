import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { billingMigrations } from '../../migrations/billing';
import { Plan } from './entities/plan.entity';
import { Subscription } from './entities/subscription.entity';
import { createBillingLoaders } from './loaders';
import type { BillingLoaders } from './loaders';
import { OrganizationSubscriptionResolver, billingOrganizationReference } from './resolvers/organization-subscription.resolver';
import { PlanResolver } from './resolvers/plan.resolver';
import { createBillingServices } from './services';
import { BillingOrganization } from './types/organization.type';
import type { BillingServices } from './services';

export const billingSubgraph = defineSubgraph<BillingServices, BillingLoaders>({
  name: 'billing',
  storage: { schema: 'billing', entities: [Plan, Subscription], migrations: billingMigrations },
  buildSchema: () =>
    buildFederatedSchema({
      name: 'billing',
      resolvers: [PlanResolver, OrganizationSubscriptionResolver],
      orphanedTypes: [BillingOrganization],
      referenceResolvers: { Organization: billingOrganizationReference },
    }),
  createServices: createBillingServices,
  createLoaders: createBillingLoaders,
});

/** For the commands and the one-process runtime, which import a subgraph only through this file. */
export { createBillingServices } from './services';
export type { BillingServices } from './services';
