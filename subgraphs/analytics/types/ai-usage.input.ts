import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { AiFeature } from '../services/ai-price-list';

@InputType({ description: 'One use of an AI feature. The same id again with the same values counts once; with others, CONFLICT.' })
export class AiUsageInput {
  @Field(() => ID, { description: '1–128 letters, digits or _ . : @ + -.' })
  id: string;

  @Field(() => AiFeature)
  feature: AiFeature;

  @Field(() => String, { description: 'The model, such as whisper-1, tts-1, gpt-4o-mini.' })
  model: string;

  @Field(() => ID, { nullable: true })
  userId?: string | null;

  @Field(() => ID, { nullable: true })
  callId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Tokens (characters for speech synthesis). Tokens or seconds are required.' })
  tokens?: number | null;

  @Field(() => Float, { nullable: true, description: 'Seconds of audio.' })
  seconds?: number | null;

  @Field(() => Int, { nullable: true, description: 'Integer micro-dollars; absent: priced from the price list by a job.' })
  costMicros?: number | null;

  @Field(() => Date)
  occurredAt: Date;
}
