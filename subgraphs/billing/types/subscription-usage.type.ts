import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('SubscriptionUsage', { description: 'The live quota of the current period.' })
export class SubscriptionUsage {
  @Field(() => Int)
  minutesUsed: number;

  @Field(() => Int)
  includedMinutes: number;

  @Field(() => Int)
  aiCallsUsed: number;

  @Field(() => Int)
  includedAiCalls: number;

  @Field(() => Int)
  storageGbUsed: number;

  @Field(() => Int)
  includedStorageGb: number;
}
