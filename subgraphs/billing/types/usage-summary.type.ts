import { Field, ID, Int, ObjectType } from 'type-graphql';
import { UsageMetric } from '../entities/usage-record.entity';

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

@ObjectType('MetricUsage', { description: 'What was metered of one metric in a period.' })
export class MetricUsageType {
  @Field(() => UsageMetric)
  metric: UsageMetric;

  @Field(() => Int, { description: 'Minutes, AI calls, GB or API calls, summed.' })
  quantity: number;
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

  @Field(() => [MetricUsageType], {
    description: "Everything metered in the period, by metric, each listed: partner API keys' operation calls (`API_CALLS`) too.",
  })
  metrics: MetricUsageType[];
}
