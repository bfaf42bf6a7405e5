import type { SubgraphDependencies } from '../../../platform/subgraph';
import { Outbox } from '../../../platform/outbox/outbox';
import { InvoiceService } from './invoice.service';
import { PlanService } from './plan.service';
import { QuotaService } from './quota.service';
import { SubscriptionService } from './subscription.service';
import { StripeMirror } from './stripe-mirror.service';
import { StripeWebhookService } from './stripe-webhook.service';
import { UsageService } from './usage.service';

export interface BillingServices {
  plans: PlanService;
  subscriptions: SubscriptionService;
  usage: UsageService;
  quota: QuotaService;
  invoices: InvoiceService;
  /** With STRIPE_WEBHOOK_SECRET only. */
  stripeWebhooks: StripeWebhookService | null;
}

/**
 * Billing's services. Subscription and usage changes write their facts to billing's outbox
 * and then refresh the organization's entitlement counters (shared by the process, in
 * Redis with REDIS_URL) that `@requiresEntitlement` reads in every subgraph.
 */
export function createBillingServices(
  dependencies: Pick<SubgraphDependencies, 'dataSource' | 'access'> &
    Partial<Pick<SubgraphDependencies, 'messaging' | 'events' | 'config' | 'logger'>>,
): BillingServices {
  const { dataSource, access } = dependencies;
  const outbox = new Outbox(dependencies.messaging);
  const refresh = (organizationId: string) => quota.refresh(organizationId);
  const subscriptions = new SubscriptionService(dataSource, outbox, refresh);
  const usage = new UsageService(dataSource, subscriptions, outbox, dependencies.events ?? null, refresh);
  const quota: QuotaService = new QuotaService(subscriptions, () => usage, access.entitlements);
  const billing = dependencies.config?.billing;
  const stripe = billing?.stripeSecretKey
    ? new StripeMirror(dataSource, { secretKey: billing.stripeSecretKey, apiUrl: billing.stripeApiUrl }, dependencies.logger)
    : null;
  const invoices = new InvoiceService(dataSource, subscriptions, usage, outbox, billing?.taxRateBps ?? 0, refresh, stripe);
  const webhookSecret = billing?.stripeWebhookSecret;
  const stripeWebhooks = webhookSecret ? new StripeWebhookService(dataSource, webhookSecret, outbox, refresh) : null;
  return { plans: new PlanService(dataSource), subscriptions, usage, quota, invoices, stripeWebhooks };
}
