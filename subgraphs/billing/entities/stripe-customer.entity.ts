import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The Stripe customer mirroring an organization (with STRIPE_SECRET_KEY). */
@Entity({ name: 'stripe_customers' })
export class StripeCustomer {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ name: 'customer_id', type: 'varchar', length: 255 })
  customerId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
