import { Field, Int, ObjectType } from 'type-graphql';
import type { CostReportDay } from '../services/organization-analytics.service';
import { Money, moneyOf } from './money.type';

@ObjectType('CostReportDay', { description: 'One UTC day of an organization’s costs, as of the last refresh of the views.' })
export class CostReportDayType {
  @Field(() => String, { description: 'YYYY-MM-DD.' })
  day: string;

  @Field(() => Int)
  calls: number;

  @Field(() => Int)
  minutes: number;

  @Field(() => Money)
  callCost: Money;

  @Field(() => Int)
  aiCalls: number;

  @Field(() => Money)
  aiCost: Money;

  @Field(() => Money)
  totalCost: Money;
}

export function costReportDayTypeOf(day: CostReportDay): CostReportDayType {
  return { ...day, callCost: moneyOf(day.callCostMicros), aiCost: moneyOf(day.aiCostMicros), totalCost: moneyOf(day.totalCostMicros) };
}
