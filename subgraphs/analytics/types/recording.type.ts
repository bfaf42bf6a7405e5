import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { PersonalData } from '../../../platform/personal-data/personal-data-directive';
import type { Recording } from '../entities/recording.entity';
import type { QualityBand } from '../services/call-quality-rules';
import { CallQualityScore } from './call-record.type';
import { RecordingStatus } from './recording-status.type';

@ObjectType('Recording', { description: 'The audio of one call, and its transcript and summary once the jobs made them.' })
export class RecordingType {
  @Field(() => ID, { description: '`rec_…`' })
  id: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => ID, { description: 'The call it is a recording of.' })
  callId: string;

  @Field(() => String, { description: 'Where the audio is stored (an http or https URL the jobs download it from).' })
  storageUrl: string;

  @Field(() => Float)
  durationSeconds: number;

  @Field(() => RecordingStatus)
  status: RecordingStatus;

  @PersonalData('communications')
  @Field(() => String, { nullable: true, description: 'What was said, as the transcription provider heard it; null until transcribed.' })
  transcript: string | null;

  @PersonalData('communications')
  @Field(() => String, { nullable: true, description: 'A summary of the call from its transcript; null until summarised.' })
  summary: string | null;

  @Field(() => String, { nullable: true, description: 'Why the last try failed; null after a success.' })
  lastError: string | null;

  @Field(() => Int, { description: 'Failed tries of the current step (transcription or summary).' })
  attempts: number;

  @Field(() => CallQualityScore, { nullable: true, description: 'The call’s quality, once analysed (the call must have ended).' })
  callQuality: CallQualityScore | null;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  transcribedAt: Date | null;

  @Field(() => Date, { nullable: true })
  summarisedAt: Date | null;

  @Field(() => Date, { nullable: true })
  analysedAt: Date | null;
}

export function recordingTypeOf(row: Recording): RecordingType {
  return {
    id: row.id,
    organizationId: row.organizationId,
    callId: row.callId,
    storageUrl: row.storageUrl,
    durationSeconds: row.durationSeconds,
    status: row.status,
    transcript: row.transcript,
    summary: row.summary,
    lastError: row.lastError,
    attempts: row.attempts,
    callQuality:
      row.mos == null ? null : { rFactor: row.rFactor!, mos: row.mos, band: row.quality as QualityBand, degraded: row.degraded ?? false },
    createdAt: row.createdAt,
    transcribedAt: row.transcribedAt,
    summarisedAt: row.summarisedAt,
    analysedAt: row.analysedAt,
  };
}
