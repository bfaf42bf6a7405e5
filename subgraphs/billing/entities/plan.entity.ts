import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export enum PlanCode {
  FREE = 'free',
  PRO = 'pro',
  ENTERPRISE = 'enterprise',
}
registerEnumType(PlanCode, { name: 'PlanCode', description: 'The plan tiers.' });

@Entity({ name: 'plans' })
@ObjectType('Plan', { description: 'A price plan: what it costs and what it includes each billing period.' })
export class Plan {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  @Field(() => ID, { description: 'Plan id, `plan_…`.' })
  id: string;

  @Column({ type: 'enum', enum: PlanCode, enumName: 'plan_code', unique: true })
  @Field(() => PlanCode)
  code: PlanCode;

  @Column({ type: 'varchar', length: 100 })
  @Field(() => String)
  name: string;

  /** In the smallest unit of `currency` (cents). */
  @Column({ name: 'monthly_price_cents', type: 'integer' })
  @Field(() => Int, { description: 'Price per month in minor units (cents) of `currency`.' })
  monthlyPriceCents: number;

  @Column({ type: 'char', length: 3, default: 'usd' })
  @Field(() => String, { description: 'ISO 4217 currency code, lowercase.' })
  currency: string;

  @Column({ name: 'included_minutes', type: 'integer' })
  @Field(() => Int, { description: 'Call minutes included each month.' })
  includedMinutes: number;

  @Column({ name: 'included_ai_calls', type: 'integer' })
  @Field(() => Int, { description: 'AI calls included each month.' })
  includedAiCalls: number;

  @Column({ name: 'included_storage_gb', type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Recording storage (GB written) included each month.' })
  includedStorageGb: number;

  @Column({ name: 'yearly_price_cents', type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Price per year in minor units (cents) of `currency`.' })
  yearlyPriceCents: number;

  @Column({ name: 'overage_minute_cents', type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Price of each call minute beyond those included, in minor units.' })
  overageMinuteCents: number;

  @Column({ name: 'overage_ai_call_cents', type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Price of each AI call beyond those included, in minor units.' })
  overageAiCallCents: number;

  @Column({ name: 'overage_storage_gb_cents', type: 'integer', default: 0 })
  @Field(() => Int, { description: 'Price of each recording GB beyond those included, in minor units.' })
  overageStorageGbCents: number;

  /** True: what is included is also the most that may be used (no overage); features past it answer PAYMENT_REQUIRED. */
  @Column({ name: 'hard_limit', type: 'boolean', default: false })
  @Field(() => Boolean, {
    description:
      'Whether usage stops at what is included (no overage is sold): then `@requiresEntitlement` fields answer PAYMENT_REQUIRED past it.',
  })
  hardLimit: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
