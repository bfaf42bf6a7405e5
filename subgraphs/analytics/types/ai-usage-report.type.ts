import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AiUsageGrouping } from '../services/ai-usage.service';
import type { AiUsageReport } from '../services/ai-usage.service';
import { Money, moneyOf } from './money.type';

registerEnumType(AiUsageGrouping, {
  name: 'AiUsageGrouping',
  description: 'FEATURE, MODEL ("feature/model"), USER (user id, "" for none), DAY (UTC, YYYY-MM-DD).',
});

@ObjectType('AiUsageGroup')
export class AiUsageGroupType {
  @Field(() => String)
  key: string;

  @Field(() => Int)
  events: number;

  @Field(() => Float)
  tokens: number;

  @Field(() => Float)
  seconds: number;

  @Field(() => Money)
  cost: Money;

  @Field(() => Int, { description: 'Events not yet priced (no cost sent; the job analytics.calculate-ai-costs prices them).' })
  unpricedEvents: number;
}

@ObjectType('AiUsageReport')
export class AiUsageReportType {
  @Field(() => ID)
  organizationId: string;

  @Field(() => Date)
  from: Date;

  @Field(() => Date)
  to: Date;

  @Field(() => AiUsageGrouping)
  groupBy: AiUsageGrouping;

  @Field(() => Int)
  events: number;

  @Field(() => Money)
  totalCost: Money;

  @Field(() => [AiUsageGroupType], { description: 'At most 500 groups, costliest first (by day: in date order).' })
  groups: AiUsageGroupType[];
}

export function aiUsageReportTypeOf(report: AiUsageReport): AiUsageReportType {
  return {
    ...report,
    totalCost: moneyOf(report.totalCostMicros),
    groups: report.groups.map((group) => ({ ...group, cost: moneyOf(group.costMicros) })),
  };
}
