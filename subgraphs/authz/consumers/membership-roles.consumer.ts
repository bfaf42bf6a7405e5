import type { EventConsumer } from '../../../platform/outbox/consumer';
import { MEMBERSHIP_EVENT_TYPES, ROLE_PROVISIONING_CONSUMER } from '../../../platform/outbox/event-catalogue';
import type { AuthzServices } from '../services';

/** identity's membership events → authz's membership projection and role assignments. */
export function membershipRolesConsumer(services: Pick<AuthzServices, 'provisioning'>): EventConsumer {
  return {
    name: ROLE_PROVISIONING_CONSUMER,
    handles: MEMBERSHIP_EVENT_TYPES,
    apply: (event, manager) => services.provisioning.apply(event, manager),
    afterCommit: (event) => services.provisioning.afterCommit(event),
  };
}
