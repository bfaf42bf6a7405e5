import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('UsageAlert', { description: 'An organization reached 80% or 100% of what its plan includes this period.' })
export class UsageAlertType {
  @Field(() => ID)
  organizationId: string;

  @Field(() => String)
  allowance: string;

  @Field(() => Int, { description: '80 or 100 (percent of what is included).' })
  threshold: number;

  @Field(() => Int)
  used: number;

  @Field(() => Int)
  included: number;

  @Field(() => Date)
  periodStart: Date;
}
