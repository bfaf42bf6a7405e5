import Stripe from 'stripe';
import type { DataSource, EntityManager } from 'typeorm';
import { Not } from 'typeorm';
import type { Outbox } from '../../../platform/outbox/outbox';
import { ProcessedEvent } from '../../../platform/outbox/processed-event.entity';
import { Invoice, InvoiceStatus } from '../entities/invoice.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';

/** How old a signed webhook may be (Stripe's default tolerance). */
export const STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;
/** The inbox name Stripe events are remembered under (a replay is ignored). */
export const STRIPE_WEBHOOK_INBOX = 'billing.stripe-webhooks';

const STATUS_OF_STRIPE: Record<string, SubscriptionStatus> = {
  trialing: SubscriptionStatus.TRIALING,
  active: SubscriptionStatus.ACTIVE,
  past_due: SubscriptionStatus.PAST_DUE,
  unpaid: SubscriptionStatus.PAST_DUE,
  canceled: SubscriptionStatus.CANCELED,
};

export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored';

/** The signature did not verify (wrong secret, altered body, or older than the tolerance). */
export class InvalidWebhookSignature extends Error {}

/**
 * Stripe's webhooks: the `Stripe-Signature` header verified on the raw body, each event
 * applied once (its id is kept in billing's inbox). Stripe objects name ours in their
 * metadata: `auralink_invoice_id`, `auralink_subscription_id`.
 */
export class StripeWebhookService {
  private readonly stripe = new Stripe('sk_webhooks_only');

  constructor(
    private readonly dataSource: DataSource,
    private readonly secret: string,
    private readonly outbox: Outbox,
    private readonly afterChange: (organizationId: string) => Promise<void> = async () => {},
  ) {}

  async handle(rawBody: Buffer, signature: string | undefined): Promise<WebhookOutcome> {
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature ?? '', this.secret, STRIPE_WEBHOOK_TOLERANCE_SECONDS);
    } catch {
      throw new InvalidWebhookSignature('Stripe-Signature did not verify');
    }
    const outcome = await this.dataSource.transaction(async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(ProcessedEvent)
        .values({ consumer: STRIPE_WEBHOOK_INBOX, eventId: event.id })
        .orIgnore()
        .returning('event_id')
        .execute();
      if ((inserted.raw as unknown[]).length === 0) return { result: 'duplicate' as const, organizationId: null };
      const organizationId = await this.apply(manager, event);
      return { result: organizationId ? ('applied' as const) : ('ignored' as const), organizationId };
    });
    if (outcome.organizationId) await this.afterChange(outcome.organizationId);
    return outcome.result;
  }

  /** The organization whose billing changed, or null when the event is not ours or not handled. */
  private async apply(manager: EntityManager, event: Stripe.Event): Promise<string | null> {
    const metadata = (event.data.object as { metadata?: Record<string, string> | null }).metadata ?? {};
    // Of Stripe's hundreds of event types, four change billing: the rest are acknowledged and ignored.
    const type: string = event.type;
    switch (type) {
      case 'invoice.paid': {
        const invoice = metadata.auralink_invoice_id ? await manager.findOneBy(Invoice, { id: metadata.auralink_invoice_id }) : null;
        if (!invoice || invoice.status === InvoiceStatus.VOID) return null;
        await manager.update(Invoice, { id: invoice.id }, { status: InvoiceStatus.PAID });
        await this.outbox.add(manager, {
          type: 'billing.invoice.paid',
          payload: { organizationId: invoice.organizationId, invoiceId: invoice.id },
        });
        return invoice.organizationId;
      }
      case 'invoice.payment_failed':
        return this.setStatus(manager, event.id, metadata.auralink_subscription_id, SubscriptionStatus.PAST_DUE);
      case 'customer.subscription.updated': {
        const status = STATUS_OF_STRIPE[(event.data.object as { status: string }).status];
        return status ? this.setStatus(manager, event.id, metadata.auralink_subscription_id, status) : null;
      }
      case 'customer.subscription.deleted':
        return this.setStatus(manager, event.id, metadata.auralink_subscription_id, SubscriptionStatus.CANCELED);
      default:
        return null;
    }
  }

  private async setStatus(
    manager: EntityManager,
    stripeEventId: string,
    subscriptionId: string | undefined,
    status: SubscriptionStatus,
  ): Promise<string | null> {
    if (!subscriptionId) return null;
    const subscription = await manager.findOneBy(Subscription, { id: subscriptionId, status: Not(SubscriptionStatus.CANCELED) });
    if (!subscription) return null;
    await manager.update(
      Subscription,
      { id: subscription.id },
      status === SubscriptionStatus.CANCELED
        ? { status, canceledAt: new Date(), cancelAtPeriodEnd: false, pendingPlanId: null }
        : { status },
    );
    await this.outbox.add(manager, {
      type: 'billing.subscription.status_changed',
      payload: {
        organizationId: subscription.organizationId,
        subscriptionId: subscription.id,
        planCode: subscription.plan.code,
        status,
        stripeEventId,
      },
    });
    return subscription.organizationId;
  }
}
