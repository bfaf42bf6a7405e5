import { Field, Float, ID, InputType, Int } from 'type-graphql';

@InputType({ description: 'A call ending, with its network figures; its quality is computed and its minutes go to billing.' })
export class EndCallInput {
  @Field(() => ID)
  callId: string;

  @Field(() => Date, { nullable: true, description: 'Now when absent.' })
  endedAt?: Date | null;

  @Field(() => Float, { description: 'Mean round-trip time, milliseconds (0–60,000).' })
  rttMs: number;

  @Field(() => Float, { description: 'Mean interarrival jitter, milliseconds (0–10,000).' })
  jitterMs: number;

  @Field(() => Float, { description: 'Packets lost, percent (0–100).' })
  packetLossPercent: number;

  @Field(() => Int, { nullable: true, description: 'Seconds in which anyone spoke, if measured.' })
  speakingSeconds?: number | null;

  @Field(() => Int, { nullable: true, description: 'What carrying the call cost, integer micro-dollars.' })
  costMicros?: number | null;
}
