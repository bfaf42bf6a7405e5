import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('RecordedAuditEvent', { description: 'One event of a batch, committed: its place in the chain.' })
export class RecordedAuditEventType {
  @Field(() => ID)
  id: string;

  @Field(() => Int)
  sequence: number;

  @Field(() => Boolean, { description: 'True when this id had been recorded before (nothing new was written).' })
  duplicate: boolean;
}
