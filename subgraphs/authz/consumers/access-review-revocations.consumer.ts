import type { EventConsumer } from '../../../platform/outbox/consumer';
import { ACCESS_REVIEW_REVOCATIONS_CONSUMER } from '../../../platform/outbox/event-catalogue';
import type { AuthzServices } from '../services';

/** compliance's access-review revoke requests → the role taken away (once per event id: platform/outbox/consumer.ts). */
export function accessReviewRevocationsConsumer(services: Pick<AuthzServices, 'reviewRevocations'>): EventConsumer {
  return {
    name: ACCESS_REVIEW_REVOCATIONS_CONSUMER,
    handles: ['compliance.access_review.revoke_requested'],
    apply: (event, manager) => services.reviewRevocations.apply(event, manager),
    afterCommit: () => services.reviewRevocations.afterCommit(),
  };
}
