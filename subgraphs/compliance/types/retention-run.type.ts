import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { RetentionRunCategory } from '../entities/retention-run.entity';
import type { RetentionRunView } from '../services/retention.service';
import { RetentionActionValue, RetentionCategoryValue, RetentionRunStatus, actionValueOf, categoryValueOf } from './retention-enums';

@ObjectType('RetentionRunCategory', { description: 'What one retention run did, or would do in a dry run, with one category.' })
export class RetentionRunCategoryType {
  @Field(() => RetentionCategoryValue)
  category: RetentionCategoryValue;

  @Field(() => RetentionActionValue)
  action: RetentionActionValue;

  @Field(() => Int)
  keepDays: number;

  @Field(() => Date, { description: 'Records from before this are past their retention.' })
  cutoff: Date;

  @Field(() => RetentionRunStatus)
  status: RetentionRunStatus;

  @Field(() => Int, { nullable: true, description: 'Records deleted or archived (in a dry run: that would be); null until reported.' })
  affected: number | null;

  @Field(() => Int, { nullable: true, description: 'Records past the cutoff kept because a legal hold covers them; null until reported.' })
  held: number | null;

  @Field(() => Date, { nullable: true })
  reportedAt: Date | null;
}

@ObjectType('RetentionRun', { description: 'One application of the organization’s retention policies, or a dry run of it.' })
export class RetentionRunType {
  @Field(() => ID, { description: '`rtn_…`' })
  id: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => Boolean, { description: 'Counted only: nothing was removed.' })
  dryRun: boolean;

  @Field(() => RetentionRunStatus)
  status: RetentionRunStatus;

  @Field(() => ID, { nullable: true, description: 'Who started it; null: the daily schedule.' })
  requestedById: string | null;

  @Field(() => Date)
  requestedAt: Date;

  @Field(() => Int, { description: 'People a legal hold covered when it started: nothing of theirs was removed.' })
  heldUsers: number;

  @Field(() => [RetentionRunCategoryType], { description: 'One per policy the organization had when it started.' })
  categories: RetentionRunCategoryType[];
}

function categoryTypeOf(row: RetentionRunCategory): RetentionRunCategoryType {
  return {
    category: categoryValueOf(row.category),
    action: actionValueOf(row.action),
    keepDays: row.keepDays,
    cutoff: row.cutoff,
    status: row.status,
    affected: row.affected,
    held: row.held,
    reportedAt: row.reportedAt,
  };
}

export function retentionRunTypeOf(view: RetentionRunView): RetentionRunType {
  return {
    id: view.run.id,
    organizationId: view.run.organizationId,
    dryRun: view.run.dryRun,
    status: view.status,
    requestedById: view.run.requestedById,
    requestedAt: view.run.requestedAt,
    heldUsers: view.run.heldUsers,
    categories: view.categories.map(categoryTypeOf),
  };
}
