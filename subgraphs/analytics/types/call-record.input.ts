import { Field, Float, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'A whole call, start and end. Ends a call started with startCall when the start matches.' })
export class CallRecordInput {
  @Field(() => ID)
  callId: string;

  @Field(() => [String])
  participants: string[];

  @Field(() => String)
  codec: string;

  @Field(() => Date)
  startedAt: Date;

  @Field(() => Date)
  endedAt: Date;

  @Field(() => Float)
  rttMs: number;

  @Field(() => Float)
  jitterMs: number;

  @Field(() => Float)
  packetLossPercent: number;

  @Field(() => Int, { nullable: true })
  speakingSeconds?: number | null;

  @Field(() => Int, { nullable: true, description: 'Integer micro-dollars.' })
  costMicros?: number | null;
}
