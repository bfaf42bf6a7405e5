import { defineJob } from '../../../platform/jobs/job-definition';
import type { AnalyticsServices } from '../services';

/** The seed's recording DAG, last step: a summary of each transcribed recording. */
export const summariseRecordingsJob = defineJob<AnalyticsServices>({
  name: 'analytics.summarise-recordings',
  description:
    'Summarises transcribed recordings (at most 50 a run, 5 at once) through the AI provider’s /v1/chat/completions; each is AI usage (agents) for billing.',
  schedule: '40 */4 * * *',
  timeoutSeconds: 60 * 60,
  run: (context, services) =>
    services.recordingProcessing.summarise({
      organizationId: context.payload.organizationId,
      signal: context.signal,
      progress: (done, total) => context.progress(done, total),
    }),
});
