import { Field, ID, InputType } from 'type-graphql';

@InputType({
  description:
    'A call starting, for your token’s organization. The same call id again with the same values answers the stored call; with others, CONFLICT.',
})
export class StartCallInput {
  @Field(() => ID, { description: "The media server's id of the call: 1–128 letters, digits or _ . : @ + -." })
  callId: string;

  @Field(() => [String], { description: 'Who takes part: user ids or the media server’s ids (at most 100).' })
  participants: string[];

  @Field(() => String, { description: 'The codec, such as opus, pcmu, pcma, g729.' })
  codec: string;

  @Field(() => Date, { nullable: true, description: 'Now when absent.' })
  startedAt?: Date | null;
}
