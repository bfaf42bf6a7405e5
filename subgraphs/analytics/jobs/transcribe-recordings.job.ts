import { defineJob } from '../../../platform/jobs/job-definition';
import type { AnalyticsServices } from '../services';

/** The seed's recording DAG, first step: every 4 hours, at most 50 recordings, 5 at a time. */
export const transcribeRecordingsJob = defineJob<AnalyticsServices>({
  name: 'analytics.transcribe-recordings',
  description:
    'Transcribes pending recordings (at most 50 a run, 5 at once) through the AI provider’s /v1/audio/transcriptions; each is AI usage (speech-to-text) for billing.',
  schedule: '0 */4 * * *',
  timeoutSeconds: 60 * 60,
  run: (context, services) =>
    services.recordingProcessing.transcribe({
      organizationId: context.payload.organizationId,
      signal: context.signal,
      progress: (done, total) => context.progress(done, total),
    }),
});
