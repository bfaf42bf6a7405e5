import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { AiUsageEvent } from '../entities/ai-usage-event.entity';
import { AiFeature } from '../services/ai-price-list';
import { Money, moneyOf } from './money.type';

registerEnumType(AiFeature, { name: 'AiFeature', description: 'Speech-to-text, text-to-speech, AI agents.' });

@ObjectType('AiUsageEvent', { description: 'One use of an AI feature.' })
export class AiUsageEventType {
  @Field(() => ID, { description: 'The caller’s id of the use, unique in the organization.' })
  id: string;

  @Field(() => AiFeature)
  feature: AiFeature;

  @Field(() => String)
  model: string;

  @Field(() => ID, { nullable: true })
  userId: string | null;

  @Field(() => ID, { nullable: true })
  callId: string | null;

  @Field(() => Int, { nullable: true })
  tokens: number | null;

  @Field(() => Float, { nullable: true })
  seconds: number | null;

  @Field(() => Money, { nullable: true, description: 'As reported, or from the price list once priced; null until then.' })
  cost: Money | null;

  @Field(() => Date)
  occurredAt: Date;
}

export function aiUsageEventTypeOf(row: AiUsageEvent): AiUsageEventType {
  return {
    id: row.id,
    feature: row.feature as AiFeature,
    model: row.model,
    userId: row.userId,
    callId: row.callId,
    tokens: row.tokens,
    seconds: row.seconds,
    cost: row.costMicros == null ? null : moneyOf(row.costMicros),
    occurredAt: row.occurredAt,
  };
}
