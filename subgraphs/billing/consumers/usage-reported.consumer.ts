import type { EventConsumer } from '../../../platform/outbox/consumer';
import { USAGE_CONSUMER } from '../../../platform/outbox/event-catalogue';
import type { AnyEvent } from '../../../platform/outbox/event-catalogue';
import type { UsageMetric } from '../entities/usage-record.entity';
import type { BillingServices } from '../services';
import { validateUsage } from '../services/usage.service';
import type { RecordedUsage, UsageAlertFact } from '../services/usage.service';

/**
 * Usage other subgraphs report (`usage.reported`, e.g. analytics' finished calls) → billing's
 * usage records, counted once per idempotency key, in the transaction that marks the event
 * processed. A report that is invalid or conflicts with an earlier one under the same key is
 * dropped (it would fail forever); the earlier one stands.
 */
export function usageReportedConsumer(services: Pick<BillingServices, 'usage' | 'subscriptions'>): EventConsumer {
  const settled = new Map<string, { results: RecordedUsage[]; alerts: UsageAlertFact[] }>();
  return {
    name: USAGE_CONSUMER,
    handles: ['usage.reported'],
    apply: async (event: AnyEvent, manager) => {
      if (event.type !== 'usage.reported') return;
      const { organizationId, metric, quantity, occurredAt, idempotencyKey } = event.payload;
      await services.subscriptions.currentFor([organizationId]);
      try {
        const input = { organizationId, metric: metric as UsageMetric, quantity, occurredAt: new Date(occurredAt), idempotencyKey };
        validateUsage(input);
        settled.set(event.id, await services.usage.recordIn(manager, [input]));
      } catch (error) {
        const code = (error as { extensions?: { code?: string } }).extensions?.code;
        if (code !== 'CONFLICT' && code !== 'BAD_USER_INPUT') throw error;
      }
    },
    afterCommit: async (event) => {
      const outcome = settled.get(event.id);
      settled.delete(event.id);
      if (outcome && event.type === 'usage.reported')
        await services.usage.settle([event.payload.organizationId], outcome.results, outcome.alerts);
    },
  };
}
