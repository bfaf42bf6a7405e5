import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import type { CostInsight } from '../entities/cost-insight.entity';
import { InsightKind, InsightStatus } from '../services/cost-insight.service';
import { Money, moneyOf } from './money.type';

registerEnumType(InsightKind, { name: 'CostInsightKind' });
registerEnumType(InsightStatus, { name: 'CostInsightStatus' });

@ObjectType('CostInsight', { description: 'A recommendation that would save money, with its estimated monthly saving.' })
export class CostInsightType {
  @Field(() => ID, { description: '`ins_…`' })
  id: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => InsightKind)
  kind: InsightKind;

  @Field(() => String)
  title: string;

  @Field(() => String)
  detail: string;

  @Field(() => Money)
  estimatedMonthlySavings: Money;

  @Field(() => InsightStatus)
  status: InsightStatus;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date)
  updatedAt: Date;
}

export function costInsightTypeOf(row: CostInsight): CostInsightType {
  return {
    id: row.id,
    organizationId: row.organizationId,
    kind: row.kind as InsightKind,
    title: row.title,
    detail: row.detail,
    estimatedMonthlySavings: moneyOf(row.estimatedMonthlySavingsMicros),
    status: row.status as InsightStatus,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
