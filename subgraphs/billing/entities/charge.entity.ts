import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** An amount owed outside the plan's period price (the prorated difference of an upgrade), billed on the next invoice. */
@Entity({ name: 'charges' })
@Index('charges_organization_id_idx', ['organizationId'])
export class Charge {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ name: 'subscription_id', type: 'varchar', length: 64 })
  subscriptionId: string;

  @Column({ type: 'varchar', length: 200 })
  description: string;

  /** Minor units of `currency`, never negative. */
  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** The invoice that billed it; null until then. */
  @Column({ name: 'invoice_id', type: 'varchar', length: 64, nullable: true })
  invoiceId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
