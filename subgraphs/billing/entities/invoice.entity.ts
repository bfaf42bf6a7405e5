import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export enum InvoiceStatus {
  DRAFT = 'draft',
  OPEN = 'open',
  PAID = 'paid',
  VOID = 'void',
}
registerEnumType(InvoiceStatus, { name: 'InvoiceStatus' });

@ObjectType('InvoiceLine', { description: 'One line of an invoice: the plan, an overage, or a prorated plan change.' })
export class InvoiceLine {
  @Field(() => String, { description: '`plan`, `overage` or `proration`.' })
  kind: 'plan' | 'overage' | 'proration';

  @Field(() => String)
  description: string;

  @Field(() => Int)
  quantity: number;

  @Field(() => Int, { description: 'Minor units per unit.' })
  unitCents: number;

  @Field(() => Int, { description: '`quantity` × `unitCents`, minor units.' })
  amountCents: number;
}

/** What an organization owes for one billing period, issued once per subscription and period. */
@Entity({ name: 'invoices' })
@Index('invoices_one_per_period', ['subscriptionId', 'periodStart'], { unique: true })
@Index('invoices_organization_id_idx', ['organizationId', 'periodStart'])
@ObjectType('Invoice', { description: 'What an organization owes for one billing period.' })
export class Invoice {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  @Field(() => ID, { description: 'Invoice id, `inv_…` (empty on a preview).' })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  @Field(() => ID)
  organizationId: string;

  @Column({ name: 'subscription_id', type: 'varchar', length: 64 })
  subscriptionId: string;

  @Column({ type: 'enum', enum: InvoiceStatus, enumName: 'invoice_status' })
  @Field(() => InvoiceStatus)
  status: InvoiceStatus;

  @Column({ name: 'period_start', type: 'timestamptz' })
  @Field(() => Date)
  periodStart: Date;

  @Column({ name: 'period_end', type: 'timestamptz' })
  @Field(() => Date)
  periodEnd: Date;

  @Column({ type: 'char', length: 3 })
  @Field(() => String)
  currency: string;

  @Column({ type: 'jsonb' })
  @Field(() => [InvoiceLine])
  lines: InvoiceLine[];

  @Column({ name: 'subtotal_cents', type: 'integer' })
  @Field(() => Int, { description: 'Sum of the lines, minor units.' })
  subtotalCents: number;

  @Column({ name: 'tax_cents', type: 'integer' })
  @Field(() => Int, { description: 'Tax on the subtotal (BILLING_TAX_RATE_BPS), minor units.' })
  taxCents: number;

  @Column({ name: 'total_cents', type: 'integer' })
  @Field(() => Int, { description: 'Subtotal plus tax, minor units; never negative.' })
  totalCents: number;

  @Column({ name: 'issued_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  issuedAt: Date | null;

  /** Its mirror in Stripe, once created (with STRIPE_SECRET_KEY). */
  @Column({ name: 'stripe_invoice_id', type: 'varchar', length: 255, nullable: true })
  stripeInvoiceId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
