import { registerEnumType } from 'type-graphql';
import { RecordingStatus } from '../entities/recording.entity';

registerEnumType(RecordingStatus, {
  name: 'RecordingStatus',
  description:
    'PENDING (waiting for transcription), TRANSCRIBING, TRANSCRIBED (waiting for a summary), SUMMARISED, or FAILED (see lastError).',
});

export { RecordingStatus };
