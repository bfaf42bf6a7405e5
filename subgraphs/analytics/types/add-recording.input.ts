import { Field, Float, ID, InputType } from 'type-graphql';

@InputType({ description: 'A call’s recording, once its audio is stored. It waits for transcription (PENDING).' })
export class AddRecordingInput {
  @Field(() => ID, { description: 'A call of your organization (NOT_FOUND otherwise).' })
  callId: string;

  @Field(() => String, { description: 'An http or https URL of the audio, at most 2,048 characters, no credentials in it.' })
  storageUrl: string;

  @Field(() => Float, { description: 'Seconds of audio, 0 to 7 days.' })
  durationSeconds: number;
}
