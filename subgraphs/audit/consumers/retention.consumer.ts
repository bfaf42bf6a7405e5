import type { EventConsumer } from '../../../platform/outbox/consumer';
import { Outbox } from '../../../platform/outbox/outbox';
import { retentionConsumer } from '../../../platform/retention/retention-consumer';
import type { AuditServices } from '../services';

/** Compliance's retention requests for audit events: archived, never deleted (the chain must still verify). */
export function auditRetentionConsumer(services: Pick<AuditServices, 'retention'>): EventConsumer {
  return retentionConsumer('audit', new Outbox(), {
    audit_events: async (manager, scope) => ({
      affected: await services.retention.archiveIn(manager, scope.organizationId, scope.cutoff, scope.dryRun),
      held: 0,
    }),
  });
}
