import { defineJob } from '../../../platform/jobs/job-definition';
import type { BillingServices } from '../services';

/**
 * Issues the invoice of every subscription whose period has ended (and starts its next
 * period) with `invoices.issueDue`; hourly, so an invoice is issued within the hour its
 * period ends. Safe to run twice: an issued period is not issued again.
 */
export const issueInvoicesJob = defineJob<BillingServices>({
  name: 'billing.issue-invoices',
  description: 'Issues the invoices of every subscription whose period has ended and starts each next period',
  schedule: '5 * * * *',
  timeoutSeconds: 30 * 60,
  run: async (context, services) => {
    if (context.payload.organizationId) {
      throw new Error('billing.issue-invoices runs for every organization whose period ended; it takes no --org');
    }
    const issued = await services.invoices.issueDue(new Date());
    await context.progress(issued.length, issued.length);
    return { issued: issued.length };
  },
});
