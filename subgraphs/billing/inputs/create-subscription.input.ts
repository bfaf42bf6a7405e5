import { Field, ID, InputType, Int } from 'type-graphql';
import { PlanCode } from '../entities/plan.entity';
import { BillingInterval } from '../entities/subscription.entity';

@InputType({ description: 'A subscription for an organization with none live.' })
export class CreateSubscriptionInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => PlanCode)
  planCode: PlanCode;

  @Field(() => BillingInterval, { nullable: true, description: 'Monthly unless said.' })
  interval?: BillingInterval;

  @Field(() => Int, { nullable: true, description: 'Days of free trial (status `trialing`), 0 to 90.' })
  trialDays?: number;
}
