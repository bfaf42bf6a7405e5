import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Plan } from './plan.entity';

export enum SubscriptionStatus {
  TRIALING = 'trialing',
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

/** An organization's subscription to a plan. An organization has at most one that is not canceled. */
@Entity({ name: 'subscriptions' })
@Index('subscriptions_one_live_per_organization', ['organizationId'], { unique: true, where: "status <> 'canceled'" })
@ObjectType('BillingSubscription', { description: "An organization's subscription to a plan." })
export class Subscription {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  @Field(() => ID, { description: 'Subscription id, `sub_…`.' })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  @Field(() => ID)
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

  @Column({ name: 'trial_end', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true, description: 'When the trial ends (status `trialing`); null without a trial.' })
  trialEnd: Date | null;

  @Column({ name: 'cancel_at_period_end', type: 'boolean', default: false })
  @Field(() => Boolean, { description: 'Whether the subscription ends at `currentPeriodEnd`.' })
  cancelAtPeriodEnd: boolean;

  @Column({ name: 'canceled_at', type: 'timestamptz', nullable: true })
  @Field(() => Date, { nullable: true })
  canceledAt: Date | null;

  /** A downgrade waiting for the end of the period. */
  @Column({ name: 'pending_plan_id', type: 'varchar', length: 64, nullable: true })
  pendingPlanId: string | null;

  @ManyToOne(() => Plan, { eager: true, nullable: true, onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'pending_plan_id' })
  @Field(() => Plan, { nullable: true, description: 'The plan that takes over at `currentPeriodEnd` (a downgrade); null when none.' })
  pendingPlan: Plan | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => Date)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
