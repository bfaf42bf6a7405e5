import type { EventConsumer } from '../../../platform/outbox/consumer';
import { ROLE_ASSIGNMENT_EVENT_TYPES } from '../../../platform/outbox/event-catalogue';
import type { ComplianceServices } from '../services';

/** Compliance's consumer of authz's assignment facts. */
export const COMPLIANCE_ROLE_ASSIGNMENTS_CONSUMER = 'compliance.role-assignments';

/** authz's assignment facts → compliance's copy of who holds which role, the role changes, and revocations done for access reviews. */
export function roleAssignmentsConsumer(services: Pick<ComplianceServices, 'roleAssignments'>): EventConsumer {
  return {
    name: COMPLIANCE_ROLE_ASSIGNMENTS_CONSUMER,
    handles: ROLE_ASSIGNMENT_EVENT_TYPES,
    apply: (event, manager) => services.roleAssignments.apply(event, manager),
  };
}
