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
  @Field(() => Int, { description: 'Price per month in cents of `currency`.' })
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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
