import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('Entitlement', { description: 'What the plan allows of one feature this billing period, and what is left.' })
export class EntitlementType {
  @Field(() => String, { description: 'The feature `@requiresEntitlement` names: `call_minutes`, `ai_calls`, `recording_storage`.' })
  feature: string;

  @Field(() => Int)
  included: number;

  @Field(() => Int)
  used: number;

  @Field(() => Int, { nullable: true, description: 'The most allowed this period; null when there is no hard limit (overage is billed).' })
  limit: number | null;

  @Field(() => Int, { description: 'Left before the limit, or of what is included when there is none.' })
  remaining: number;

  @Field(() => Boolean, { description: 'Whether fields with `@requiresEntitlement` for this feature answer.' })
  allowed: boolean;
}
