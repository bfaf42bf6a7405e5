import { defineJob } from '../../../platform/jobs/job-definition';
import type { AnalyticsServices } from '../services';

/** The seed's recording DAG, second step: the quality of each recording's call. */
export const analyseRecordingsJob = defineJob<AnalyticsServices>({
  name: 'analytics.analyse-recordings',
  description: 'Gives recordings whose call has ended the call’s quality (E-model R, MOS, band, degraded), at most 50 a run.',
  schedule: '20 */4 * * *',
  run: (context, services) =>
    services.recordingProcessing.analyse({
      organizationId: context.payload.organizationId,
      signal: context.signal,
      progress: (done, total) => context.progress(done, total),
    }),
});
