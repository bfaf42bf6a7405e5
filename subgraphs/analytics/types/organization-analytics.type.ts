import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AnalyticsPeriod } from '../services/organization-analytics.service';
import type { OrganizationAnalytics } from '../services/organization-analytics.service';
import { Money, moneyOf } from './money.type';

registerEnumType(AnalyticsPeriod, { name: 'AnalyticsPeriod', description: 'DAILY: the UTC day; MONTHLY: the calendar month (UTC).' });

@ObjectType('AnalyticsOverview')
export class AnalyticsOverview {
  @Field(() => Int, { description: 'People analytics has seen in the organization’s calls and AI usage up to the period’s end.' })
  totalUsers: number;

  @Field(() => Int, { description: 'Distinct people in calls or AI usage during the period.' })
  activeUsers: number;

  @Field(() => Int)
  totalCalls: number;

  @Field(() => Int)
  degradedCalls: number;

  @Field(() => Int, { description: 'Billed minutes (each call rounded up to the minute).' })
  totalMinutes: number;

  @Field(() => Float, { nullable: true })
  averageMos: number | null;

  @Field(() => Money, { description: 'Calls’ carrying cost plus AI cost.' })
  totalCost: Money;

  @Field(() => Money)
  callCost: Money;
}

@ObjectType('AiUsageByFeature', { description: 'AI calls by feature (the seed’s `by_feature`).' })
export class AiUsageByFeature {
  @Field(() => Int)
  stt: number;

  @Field(() => Int)
  tts: number;

  @Field(() => Int)
  agents: number;
}

@ObjectType('AiCostByFeature')
export class AiCostByFeature {
  @Field(() => Money)
  stt: Money;

  @Field(() => Money)
  tts: Money;

  @Field(() => Money)
  agents: Money;
}

@ObjectType('AiUsageOverview')
export class AiUsageOverview {
  @Field(() => Money)
  totalCost: Money;

  @Field(() => AiUsageByFeature)
  byFeature: AiUsageByFeature;

  @Field(() => AiCostByFeature)
  costByFeature: AiCostByFeature;
}

@ObjectType('OrganizationAnalytics', {
  description: 'An organization’s figures for a day or a month, as of the last refresh of the views.',
})
export class OrganizationAnalyticsType {
  @Field(() => ID)
  organizationId: string;

  @Field(() => AnalyticsPeriod)
  period: AnalyticsPeriod;

  @Field(() => Date)
  periodStart: Date;

  @Field(() => Date)
  periodEnd: Date;

  @Field(() => Date, { description: 'When the views were last refreshed (the job analytics.refresh-views).' })
  refreshedAt: Date;

  @Field(() => AnalyticsOverview)
  overview: AnalyticsOverview;

  @Field(() => AiUsageOverview)
  aiUsage: AiUsageOverview;
}

export function organizationAnalyticsTypeOf(value: OrganizationAnalytics): OrganizationAnalyticsType {
  const { overview, aiUsage } = value;
  return {
    ...value,
    overview: { ...overview, totalCost: moneyOf(overview.totalCostMicros), callCost: moneyOf(overview.callCostMicros) },
    aiUsage: {
      totalCost: moneyOf(aiUsage.totalCostMicros),
      byFeature: aiUsage.byFeature,
      costByFeature: {
        stt: moneyOf(aiUsage.costByFeature.stt),
        tts: moneyOf(aiUsage.costByFeature.tts),
        agents: moneyOf(aiUsage.costByFeature.agents),
      },
    },
  };
}
