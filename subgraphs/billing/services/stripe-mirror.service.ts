import Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import type { Logger } from '../../../platform/logger';
import { Invoice } from '../entities/invoice.entity';
import { StripeCustomer } from '../entities/stripe-customer.entity';

export interface StripeConnection {
  secretKey: string;
  /** Another API origin (a local test server or stripe-mock); Stripe's own when absent. */
  apiUrl?: string;
}

/**
 * Mirrors billing's own records to Stripe (with STRIPE_SECRET_KEY): a customer per
 * organization and each issued invoice with its lines, every call with an idempotency key
 * derived from our ids, so a retry never creates a second object. Billing's data stays the
 * truth; Stripe collects payment and tells us through its webhooks.
 */
export class StripeMirror {
  private readonly stripe: Stripe;

  constructor(
    private readonly dataSource: DataSource,
    connection: StripeConnection,
    private readonly logger?: Logger,
  ) {
    const url = connection.apiUrl ? new URL(connection.apiUrl) : null;
    this.stripe = new Stripe(
      connection.secretKey,
      url
        ? { host: url.hostname, port: Number(url.port), protocol: url.protocol === 'http:' ? 'http' : 'https', maxNetworkRetries: 2 }
        : { maxNetworkRetries: 2 },
    );
  }

  /** The organization's Stripe customer, created once. */
  async customerFor(organizationId: string): Promise<string> {
    const known = await this.dataSource.getRepository(StripeCustomer).findOneBy({ organizationId });
    if (known) return known.customerId;
    const customer = await this.stripe.customers.create(
      { metadata: { auralink_organization_id: organizationId } },
      { idempotencyKey: `auralink-customer-${organizationId}` },
    );
    await this.dataSource
      .getRepository(StripeCustomer)
      .createQueryBuilder()
      .insert()
      .values({ organizationId, customerId: customer.id })
      .orIgnore()
      .execute();
    return (await this.dataSource.getRepository(StripeCustomer).findOneByOrFail({ organizationId })).customerId;
  }

  /** An issued invoice in Stripe: one invoice item per line, then the invoice that collects them; once per invoice. */
  async mirrorInvoice(invoice: Invoice): Promise<string> {
    if (invoice.stripeInvoiceId) return invoice.stripeInvoiceId;
    const customer = await this.customerFor(invoice.organizationId);
    const created = await this.stripe.invoices.create(
      {
        customer,
        currency: invoice.currency,
        auto_advance: true,
        pending_invoice_items_behavior: 'exclude',
        metadata: { auralink_invoice_id: invoice.id, auralink_organization_id: invoice.organizationId },
      },
      { idempotencyKey: `auralink-invoice-${invoice.id}` },
    );
    for (const [index, line] of invoice.lines.entries()) {
      await this.stripe.invoiceItems.create(
        { customer, invoice: created.id, currency: invoice.currency, amount: line.amountCents, description: line.description },
        { idempotencyKey: `auralink-invoice-${invoice.id}-line-${index}` },
      );
    }
    if (invoice.taxCents > 0) {
      await this.stripe.invoiceItems.create(
        { customer, invoice: created.id, currency: invoice.currency, amount: invoice.taxCents, description: 'Tax' },
        { idempotencyKey: `auralink-invoice-${invoice.id}-tax` },
      );
    }
    await this.dataSource.getRepository(Invoice).update({ id: invoice.id }, { stripeInvoiceId: created.id });
    return created.id;
  }

  /** After issuing: mirrors each invoice, logging (not throwing) a failure (the client has already retried with the same key). */
  async mirrorIssued(invoices: readonly Invoice[]): Promise<void> {
    for (const invoice of invoices) {
      try {
        await this.mirrorInvoice(invoice);
      } catch (error) {
        this.logger?.warn({ err: error, invoiceId: invoice.id }, 'stripe: invoice not mirrored yet');
      }
    }
  }
}
