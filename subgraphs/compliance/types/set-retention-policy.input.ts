import { Field, ID, InputType, Int } from 'type-graphql';
import { RetentionActionValue, RetentionCategoryValue } from './retention-enums';

@InputType({ description: 'How long your organization keeps one category of data, and what happens to it then.' })
export class SetRetentionPolicyInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => RetentionCategoryValue)
  category: RetentionCategoryValue;

  @Field(() => Int, { description: 'Days a record is kept, within the category’s bounds (see `RetentionCategory`).' })
  keepDays: number;

  @Field(() => RetentionActionValue, {
    nullable: true,
    description: 'The category’s own action when absent (ARCHIVE for audit events, DELETE for the rest).',
  })
  action?: RetentionActionValue | null;
}
