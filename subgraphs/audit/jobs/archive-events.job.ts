import { defineJob } from '../../../platform/jobs/job-definition';
import type { AuditServices } from '../services';

/**
 * Moves events past their organization's retention (90 days unless set) to the archive
 * table, drops emptied month partitions and creates those ahead. Nightly; `organizationId`
 * limits a run to one organization.
 */
export const archiveEventsJob = defineJob<AuditServices>({
  name: 'audit.archive-events',
  description:
    "Moves audit events past their organization's retention to the archive (the chain stays verifiable) and keeps month partitions ahead",
  schedule: '30 2 * * *',
  timeoutSeconds: 3_600,
  run: async (context, services) => {
    const result = await services.retention.archive({
      organizationId: context.payload.organizationId,
      signal: context.signal,
      progress: (done, total) => context.progress(done, total),
    });
    return { ...result };
  },
});
