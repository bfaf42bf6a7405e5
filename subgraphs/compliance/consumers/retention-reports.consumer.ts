import type { EventConsumer } from '../../../platform/outbox/consumer';
import { RETENTION_REPORTS_CONSUMER } from '../../../platform/outbox/event-catalogue';
import type { ComplianceServices } from '../services';

/** What the owners of each data category did with a retention request → the run's counts (`retentionRuns`). */
export function retentionReportsConsumer(services: Pick<ComplianceServices, 'retention'>): EventConsumer {
  return {
    name: RETENTION_REPORTS_CONSUMER,
    handles: ['retention.applied'],
    apply: async (event, manager) => {
      if (event.type === 'retention.applied') await services.retention.applyReport(event.payload, manager);
    },
  };
}
