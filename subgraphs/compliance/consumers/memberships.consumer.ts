import type { EventConsumer } from '../../../platform/outbox/consumer';
import { MEMBERSHIP_EVENT_TYPES, isMembershipEvent } from '../../../platform/outbox/event-catalogue';
import type { ComplianceServices } from '../services';

/** Compliance's consumer of identity's membership facts. */
export const COMPLIANCE_MEMBERSHIPS_CONSUMER = 'compliance.memberships';

/** identity's membership facts → compliance's membership projection (whom an owner or admin may record consent for or hold). */
export function membershipsConsumer(services: Pick<ComplianceServices, 'memberships'>): EventConsumer {
  return {
    name: COMPLIANCE_MEMBERSHIPS_CONSUMER,
    handles: MEMBERSHIP_EVENT_TYPES,
    apply: async (event, manager) => {
      if (isMembershipEvent(event)) await services.memberships.apply(event, manager);
    },
  };
}
