import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Plan } from './plan.entity';

export enum SubscriptionStatus {
  ACTIVE = 'active',
  PAST_DUE = 'past_due',
  CANCELED = 'canceled',
}
registerEnumType(SubscriptionStatus, { name: 'SubscriptionStatus' });

export enum BillingInterval {
  MONTHLY = 'monthly',
  YEARLY = 'yearly',
}
registerEnumType(BillingInterval, { name: 'BillingInterval' });

/** An organization's subscription to a plan. Every organization has exactly one. */
@Entity({ name: 'subscriptions' })
@ObjectType('BillingSubscription', { description: "An organization's subscription to a plan." })
export class Subscription {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  @Field(() => ID, { description: 'Subscription id, `sub_…`.' })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64, unique: true })
  organizationId: string;

  @Column({ name: 'plan_id', type: 'varchar', length: 64 })
  planId: string;

  @ManyToOne(() => Plan, { eager: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'plan_id' })
  @Field(() => Plan)
  plan: Plan;

  @Column({ type: 'enum', enum: SubscriptionStatus, enumName: 'subscription_status', default: SubscriptionStatus.ACTIVE })
  @Field(() => SubscriptionStatus)
  status: SubscriptionStatus;

  @Column({ type: 'enum', enum: BillingInterval, enumName: 'billing_interval', default: BillingInterval.MONTHLY })
  @Field(() => BillingInterval)
  interval: BillingInterval;

  @Column({ name: 'current_period_start', type: 'timestamptz' })
  @Field(() => Date)
  currentPeriodStart: Date;

  @Column({ name: 'current_period_end', type: 'timestamptz' })
  @Field(() => Date)
  currentPeriodEnd: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => Date)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
