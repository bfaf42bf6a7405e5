import { Field, ObjectType } from 'type-graphql';
import { UsageRecord } from '../entities/usage-record.entity';

@ObjectType('UsageRecorded', { description: 'A usage record, and whether this call counted it (false: its key was counted before).' })
export class UsageRecorded {
  @Field(() => UsageRecord)
  record: UsageRecord;

  @Field(() => Boolean)
  counted: boolean;
}
