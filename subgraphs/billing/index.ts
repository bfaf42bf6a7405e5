import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { billingMigrations } from '../../migrations/billing';
import { Plan } from './entities/plan.entity';
import { Subscription } from './entities/subscription.entity';
import { Charge } from './entities/charge.entity';
import { Invoice } from './entities/invoice.entity';
import { StripeCustomer } from './entities/stripe-customer.entity';
import { UsageAlert } from './entities/usage-alert.entity';
import { UsageRecord } from './entities/usage-record.entity';
import { OutboxMessage } from '../../platform/outbox/outbox-message.entity';
import { ProcessedEvent } from '../../platform/outbox/processed-event.entity';
import { createBillingLoaders } from './loaders';
import type { BillingLoaders } from './loaders';
import { OrganizationSubscriptionResolver, billingOrganizationReference } from './resolvers/organization-subscription.resolver';
import { PlanResolver } from './resolvers/plan.resolver';
import { SubscriptionResolver } from './resolvers/subscription.resolver';
import { UsageResolver } from './resolvers/usage.resolver';
import { InvoiceResolver } from './resolvers/invoice.resolver';
import { usageReportedConsumer } from './consumers/usage-reported.consumer';
import { billingRetentionConsumer } from './consumers/retention.consumer';
import { issueInvoicesJob } from './jobs/issue-invoices.job';
import { createBillingServices } from './services';
import { billingRoutes } from './routes';
import { BillingOrganization } from './types/organization.type';
import type { BillingServices } from './services';

export const billingSubgraph = defineSubgraph<BillingServices, BillingLoaders>({
  name: 'billing',
  storage: {
    schema: 'billing',
    entities: [Plan, Subscription, Charge, Invoice, StripeCustomer, UsageRecord, UsageAlert, OutboxMessage, ProcessedEvent],
    migrations: billingMigrations,
  },
  buildSchema: () =>
    buildFederatedSchema({
      name: 'billing',
      resolvers: [PlanResolver, OrganizationSubscriptionResolver, SubscriptionResolver, UsageResolver, InvoiceResolver],
      orphanedTypes: [BillingOrganization],
      referenceResolvers: { Organization: billingOrganizationReference },
    }),
  createServices: createBillingServices,
  publishes: [
    'billing.subscription.created',
    'billing.subscription.plan_changed',
    'billing.subscription.canceled',
    'billing.usage.threshold_reached',
    'billing.invoice.issued',
    'billing.invoice.paid',
    'billing.subscription.status_changed',
    'retention.applied',
    'audit.mutation.recorded',
  ],
  consumers: (services) => [usageReportedConsumer(services), billingRetentionConsumer()],
  jobs: [issueInvoicesJob],
  createLoaders: createBillingLoaders,
  routes: billingRoutes,
});

/** For the commands and the one-process runtime, which import a subgraph only through this file. */
export { createBillingServices } from './services';
export type { BillingServices } from './services';
export { usageReportedConsumer } from './consumers/usage-reported.consumer';
export { UsageMetric } from './entities/usage-record.entity';
export type { UsageInput } from './services/usage.service';
