import type { EventConsumer } from '../../../platform/outbox/consumer';
import type { ComplianceServices } from '../services';

export const COMPLIANCE_PENDING_DELETIONS_CONSUMER = 'compliance.pending-deletions';

/**
 * Compliance's own hold-released facts → the deletions that waited for them: once no hold
 * covers the person any more, their approved deletion is no longer held and the next run of
 * `compliance.process-requests` completes it.
 */
export function pendingDeletionsConsumer(services: Pick<ComplianceServices, 'requests'>): EventConsumer {
  const released = new Map<string, { organizationId: string; ids: string[] }>();
  return {
    name: COMPLIANCE_PENDING_DELETIONS_CONSUMER,
    handles: ['compliance.legal_hold.released'],
    apply: async (event, manager) => {
      if (event.type !== 'compliance.legal_hold.released') return;
      const ids = await services.requests.holdReleased(manager, event.payload.organizationId, event.payload.userId);
      released.set(event.id, { organizationId: event.payload.organizationId, ids });
    },
    afterCommit: async (event) => {
      const done = released.get(event.id);
      released.delete(event.id);
      if (done) await services.requests.announce(done.organizationId, done.ids);
    },
  };
}
