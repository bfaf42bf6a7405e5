import type { EventConsumer } from '../../../platform/outbox/consumer';
import type { AnyEvent } from '../../../platform/outbox/event-catalogue';

/** Analytics' consumer of billing's subscription facts. */
export const BILLING_PLAN_CONSUMER = 'analytics.plans';

const PLAN_EVENT_TYPES = ['billing.subscription.created', 'billing.subscription.plan_changed', 'billing.subscription.canceled'] as const;
type PlanEvent = Extract<AnyEvent, { type: (typeof PLAN_EVENT_TYPES)[number] }>;

function isPlanEvent(event: AnyEvent): event is PlanEvent {
  return (PLAN_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * Which plan each organization is on, from billing's facts: a new subscription, an upgrade
 * (or any change effective now), a cancellation effective now. A downgrade waiting for the
 * period's end is not applied here (billing states no fact when it takes effect). An older
 * fact delivered after a newer one changes nothing (billing's outbox order).
 */
export function billingPlanConsumer(): EventConsumer {
  return {
    name: BILLING_PLAN_CONSUMER,
    handles: PLAN_EVENT_TYPES,
    apply: async (event: AnyEvent, manager) => {
      if (!isPlanEvent(event)) return;
      let planCode: string | null;
      switch (event.type) {
        case 'billing.subscription.created':
          planCode = event.payload.planCode;
          break;
        case 'billing.subscription.plan_changed':
          if (event.payload.effective !== 'now') return;
          planCode = event.payload.planCode;
          break;
        case 'billing.subscription.canceled':
          if (event.payload.atPeriodEnd) return;
          planCode = null;
          break;
      }
      await manager.query(
        `INSERT INTO analytics.organization_plans AS plan (organization_id, plan_code, source_sequence, updated_at)
         VALUES ($1, $2, $3, now())
         ON CONFLICT (organization_id) DO UPDATE
           SET plan_code = EXCLUDED.plan_code, source_sequence = EXCLUDED.source_sequence, updated_at = now()
           WHERE plan.source_sequence < EXCLUDED.source_sequence`,
        [event.payload.organizationId, planCode, String(event.sequence)],
      );
    },
  };
}
