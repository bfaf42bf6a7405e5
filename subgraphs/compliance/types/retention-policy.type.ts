import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { RetentionPolicy } from '../entities/retention-policy.entity';
import { RetentionActionValue, RetentionCategoryValue, actionValueOf, categoryValueOf } from './retention-enums';

@ObjectType('RetentionPolicy', { description: 'How long the organization keeps one category of data, and what happens to it then.' })
export class RetentionPolicyType {
  @Field(() => ID)
  organizationId: string;

  @Field(() => RetentionCategoryValue)
  category: RetentionCategoryValue;

  @Field(() => Int)
  keepDays: number;

  @Field(() => RetentionActionValue)
  action: RetentionActionValue;

  @Field(() => ID, { description: 'Who set it last.' })
  updatedById: string;

  @Field(() => Date)
  updatedAt: Date;
}

export function retentionPolicyTypeOf(row: RetentionPolicy): RetentionPolicyType {
  return {
    organizationId: row.organizationId,
    category: categoryValueOf(row.category),
    keepDays: row.keepDays,
    action: actionValueOf(row.action),
    updatedById: row.updatedById,
    updatedAt: row.updatedAt,
  };
}
