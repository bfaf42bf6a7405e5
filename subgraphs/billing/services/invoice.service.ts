import PDFDocument from 'pdfkit';
import { IsNull, LessThanOrEqual, Not } from 'typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { NotFoundError } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import type { PageArgs } from '../../../platform/limits/pagination';
import type { Outbox } from '../../../platform/outbox/outbox';
import { Charge } from '../entities/charge.entity';
import { Invoice, InvoiceStatus } from '../entities/invoice.entity';
import { Subscription, SubscriptionStatus } from '../entities/subscription.entity';
import { invoiceTotals } from './invoice-lines';
import type { StripeMirror } from './stripe-mirror.service';
import { periodEnd } from './subscription.service';
import type { SubscriptionService } from './subscription.service';
import type { UsageService } from './usage.service';

const ISSUE_BATCH = 200;

/**
 * Invoices, one per subscription and billing period, issued when the period ends
 * (`issueDue`): the plan, each overage and the prorated charges of upgrades, with tax.
 * Issuing also starts the next period: a waiting downgrade takes effect, a trial ends, a
 * cancellation at period end cancels.
 */
export class InvoiceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly subscriptions: SubscriptionService,
    private readonly usage: UsageService,
    private readonly outbox: Outbox,
    private readonly taxRateBps: number,
    private readonly afterChange: (organizationId: string) => Promise<void> = async () => {},
    private readonly stripe: StripeMirror | null = null,
  ) {}

  /** The invoice of the current period exactly as `issueDue` will issue it at its end, from what is known now (not saved: no id). */
  async preview(principal: Principal, organizationId: string): Promise<Invoice> {
    const subscription = await this.subscriptions.forOrganization(principal, organizationId);
    return this.draft(this.dataSource.manager, subscription);
  }

  /** Your organization's invoices, newest first. */
  async list(principal: Principal, organizationId: string, { first, offset }: PageArgs): Promise<Invoice[]> {
    assertOwnOrganization(principal, organizationId);
    return this.dataSource
      .getRepository(Invoice)
      .find({ where: { organizationId }, order: { periodStart: 'DESC', id: 'DESC' }, take: first, skip: offset });
  }

  async get(principal: Principal, id: string): Promise<Invoice> {
    const invoice = await this.dataSource.getRepository(Invoice).findOneBy({ id });
    if (!invoice || invoice.organizationId !== principal.organizationId) throw new NotFoundError('Invoice', id, 'id');
    return invoice;
  }

  /** Issues the invoice of every live subscription whose period ended by `now`, and starts its next period; safe to run twice. */
  async issueDue(now = new Date()): Promise<Invoice[]> {
    const issued: Invoice[] = [];
    for (;;) {
      const due = await this.dataSource.getRepository(Subscription).find({
        where: { status: Not(SubscriptionStatus.CANCELED), currentPeriodEnd: LessThanOrEqual(now) },
        order: { currentPeriodEnd: 'ASC' },
        take: ISSUE_BATCH,
      });
      if (due.length === 0) {
        await this.stripe?.mirrorIssued(issued);
        return issued;
      }
      for (const { id } of due) {
        const invoice = await this.dataSource.transaction((manager) => this.issueOne(manager, id, now));
        if (invoice) {
          issued.push(invoice);
          await this.afterChange(invoice.organizationId);
        }
      }
    }
  }

  private async issueOne(manager: EntityManager, subscriptionId: string, now: Date): Promise<Invoice | null> {
    const locked = await manager
      .createQueryBuilder(Subscription, 'subscription')
      .setLock('pessimistic_write')
      .where('subscription.id = :id AND subscription.current_period_end <= :now', { id: subscriptionId, now })
      .andWhere('subscription.status <> :canceled', { canceled: SubscriptionStatus.CANCELED })
      .getOne();
    if (!locked) return null;
    const subscription = await manager.findOneByOrFail(Subscription, { id: subscriptionId });
    const invoice = await this.draft(manager, subscription);
    invoice.id = newId('invoice');
    invoice.status = invoice.totalCents === 0 ? InvoiceStatus.PAID : InvoiceStatus.OPEN;
    invoice.issuedAt = now;
    await manager.insert(Invoice, invoice);
    await manager.update(Charge, { subscriptionId, invoiceId: IsNull() }, { invoiceId: invoice.id });

    const nextStart = subscription.currentPeriodEnd;
    const canceling = subscription.cancelAtPeriodEnd;
    await manager.update(
      Subscription,
      { id: subscriptionId },
      canceling
        ? { status: SubscriptionStatus.CANCELED, canceledAt: nextStart, cancelAtPeriodEnd: false, pendingPlanId: null }
        : {
            planId: subscription.pendingPlanId ?? subscription.planId,
            pendingPlanId: null,
            status: subscription.status === SubscriptionStatus.TRIALING ? SubscriptionStatus.ACTIVE : subscription.status,
            trialEnd: subscription.trialEnd,
            currentPeriodStart: nextStart,
            currentPeriodEnd: periodEnd(nextStart, subscription.interval),
          },
    );
    await this.outbox.add(manager, {
      type: 'billing.invoice.issued',
      payload: {
        organizationId: invoice.organizationId,
        subscriptionId,
        invoiceId: invoice.id,
        totalCents: invoice.totalCents,
        currency: invoice.currency,
        periodStart: invoice.periodStart.toISOString(),
        periodEnd: invoice.periodEnd.toISOString(),
      },
    });
    return invoice;
  }

  private async draft(manager: EntityManager, subscription: Subscription): Promise<Invoice> {
    const used = await this.usage.usedBetween(
      subscription.organizationId,
      subscription.currentPeriodStart,
      subscription.currentPeriodEnd,
      manager,
    );
    const charges = await manager.find(Charge, {
      where: { subscriptionId: subscription.id, invoiceId: IsNull() },
      order: { createdAt: 'ASC' },
    });
    const totals = invoiceTotals({
      plan: subscription.plan,
      interval: subscription.interval,
      trial: subscription.status === SubscriptionStatus.TRIALING,
      used,
      charges,
      taxRateBps: this.taxRateBps,
    });
    return manager.create(Invoice, {
      id: '',
      organizationId: subscription.organizationId,
      subscriptionId: subscription.id,
      status: InvoiceStatus.DRAFT,
      stripeInvoiceId: null,
      periodStart: subscription.currentPeriodStart,
      periodEnd: subscription.currentPeriodEnd,
      currency: subscription.plan.currency,
      ...totals,
      issuedAt: null,
    });
  }

  /** The invoice as a one-page PDF. */
  async pdf(invoice: Invoice): Promise<Buffer> {
    const document = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Invoice ${invoice.id || 'preview'}` } });
    const chunks: Buffer[] = [];
    document.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = new Promise<Buffer>((resolve) => document.on('end', () => resolve(Buffer.concat(chunks))));
    const money = (cents: number) => `${(cents / 100).toFixed(2)} ${invoice.currency.toUpperCase()}`;
    const day = (date: Date) => date.toISOString().slice(0, 10);

    document.fontSize(22).text('AuraLink', { continued: true }).fontSize(22).text('  Invoice', { align: 'left' });
    document.moveDown(0.5).fontSize(10).fillColor('#444');
    document.text(`Invoice ${invoice.id || '(preview)'} · ${invoice.status}`);
    document.text(`Organization ${invoice.organizationId}`);
    document.text(`Period ${day(invoice.periodStart)} to ${day(invoice.periodEnd)}`);
    if (invoice.issuedAt) document.text(`Issued ${day(invoice.issuedAt)}`);
    document.moveDown(1.5).fillColor('#000');

    const columns = { description: 50, quantity: 330, unit: 400, amount: 480 };
    const row = (y: number, cells: [string, string, string, string], bold = false) => {
      document.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(10);
      document.text(cells[0], columns.description, y, { width: 270 });
      document.text(cells[1], columns.quantity, y, { width: 60, align: 'right' });
      document.text(cells[2], columns.unit, y, { width: 70, align: 'right' });
      document.text(cells[3], columns.amount, y, { width: 65, align: 'right' });
    };
    let y = document.y;
    row(y, ['Description', 'Qty', 'Unit', 'Amount'], true);
    y += 18;
    document
      .moveTo(50, y - 4)
      .lineTo(545, y - 4)
      .strokeColor('#999')
      .stroke();
    for (const line of invoice.lines) {
      row(y, [line.description, String(line.quantity), money(line.unitCents), money(line.amountCents)]);
      y += 20;
    }
    document.moveTo(50, y).lineTo(545, y).stroke();
    y += 10;
    for (const [label, cents, bold] of [
      ['Subtotal', invoice.subtotalCents, false],
      ['Tax', invoice.taxCents, false],
      ['Total', invoice.totalCents, true],
    ] as const) {
      document.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(bold ? 12 : 10);
      document.text(label, columns.unit - 80, y, { width: 150, align: 'right' });
      document.text(money(cents), columns.amount, y, { width: 65, align: 'right' });
      y += 18;
    }
    document.end();
    return done;
  }
}
