import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('AllowanceUsage', { description: 'One allowance of a plan in a period: included, used, overage and its cost.' })
export class AllowanceUsageType {
  @Field(() => String, { description: '`call_minutes`, `ai_calls` or `recording_storage` (GB).' })
  allowance: string;

  @Field(() => Int)
  included: number;

  @Field(() => Int)
  used: number;

  @Field(() => Int, { description: 'Used beyond what is included (billed); 0 on a plan with a hard limit.' })
  overage: number;

  @Field(() => Int, { description: 'Cost of the overage in minor units of `currency`.' })
  overageCents: number;
}

@ObjectType('UsageSummary', { description: "An organization's usage in one billing period, per allowance." })
export class UsageSummaryType {
  @Field(() => ID)
  organizationId: string;

  @Field(() => Date)
  periodStart: Date;

  @Field(() => Date)
  periodEnd: Date;

  @Field(() => String)
  currency: string;

  @Field(() => [AllowanceUsageType])
  allowances: AllowanceUsageType[];

  @Field(() => Int, { description: 'All overage, minor units.' })
  overageCents: number;
}
