import type { EventConsumer } from '../../../platform/outbox/consumer';
import { Outbox } from '../../../platform/outbox/outbox';
import { deletePastRetention, retentionConsumer } from '../../../platform/retention/retention-consumer';

/**
 * Compliance's retention requests for metered usage: records that occurred before the cutoff
 * go. Usage is the organization's, not a person's, so only a hold on the whole organization
 * keeps it (compliance then sends no request at all).
 */
export function billingRetentionConsumer(): EventConsumer {
  return retentionConsumer('billing', new Outbox(), {
    usage: (manager, scope) =>
      deletePastRetention(manager, scope, {
        table: 'billing.usage_records',
        candidates: 't.organization_id = $1 AND t.occurred_at < $2',
        held: 'false',
      }),
  });
}
