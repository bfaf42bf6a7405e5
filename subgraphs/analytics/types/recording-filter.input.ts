import { Field, ID, InputType } from 'type-graphql';
import { RecordingStatus } from './recording-status.type';

@InputType('RecordingFilter', { description: 'Every part optional; a recording must match all given.' })
export class RecordingFilterInput {
  @Field(() => RecordingStatus, { nullable: true })
  status?: RecordingStatus | null;

  @Field(() => ID, { nullable: true })
  callId?: string | null;
}
