import { defineJob } from '../../../platform/jobs/job-definition';
import type { ComplianceServices } from '../services';

export interface ApplyRetentionPayload {
  organizationId?: string;
  /** Count what would go, per category, and remove nothing. */
  dryRun?: boolean;
}

/**
 * Daily: one retention run for every organization with a policy (or the one named). The
 * owners of each category apply it to their own data and report back; `retentionRuns`
 * shows each run's counts once they have.
 */
export const applyRetentionJob = defineJob<ComplianceServices, ApplyRetentionPayload>({
  name: 'compliance.apply-retention',
  description:
    "Applies each organization's retention policies: the subgraph owning each category deletes or archives what is past it, except held data",
  schedule: '0 3 * * *',
  timeoutSeconds: 900,
  run: async (context, services) => {
    const organizations = await services.retention.organizationsWithPolicies(context.payload.organizationId);
    let held = 0;
    let categories = 0;
    for (const [index, organizationId] of organizations.entries()) {
      if (context.signal.aborted) break;
      const { run, categories: asked } = await services.retention.start(organizationId, { dryRun: context.payload.dryRun === true });
      if (run.organizationHeld) held += 1;
      categories += asked.length;
      await context.progress(index + 1, organizations.length);
    }
    return { organizations: organizations.length, categories, heldOrganizations: held, dryRun: context.payload.dryRun === true };
  },
});
