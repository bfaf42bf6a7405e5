import { defineJob } from '../../../platform/jobs/job-definition';
import type { ComplianceServices } from '../services';

/**
 * Processes the data-subject requests that are ready: exports received, deletions approved
 * and not held. Each request is safe to run again (an export starts its file over, an erasure
 * finds nothing left the second time), so a run the worker lost is simply run again.
 */
export const processRequestsJob = defineJob<ComplianceServices>({
  name: 'compliance.process-requests',
  description: 'runs received exports and approved deletions through every subgraph (a deletion under a legal hold waits)',
  schedule: '* * * * *',
  timeoutSeconds: 30 * 60,
  run: async (context, services) => {
    const outcome = await services.requests.processPending({
      organizationId: context.payload.organizationId,
      progress: (done, total) => context.progress(done, total),
      signal: context.signal,
    });
    return { ...outcome };
  },
});
