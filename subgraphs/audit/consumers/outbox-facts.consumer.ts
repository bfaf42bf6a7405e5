import type { EventConsumer } from '../../../platform/outbox/consumer';
import { AUDIT_TRAIL_CONSUMER } from '../../../platform/outbox/event-catalogue';
import type { EventType } from '../../../platform/outbox/event-catalogue';
import type { AuditEvent } from '../services/audit-event';
import type { AuditServices } from '../services';
import { FACT_MAPPINGS, auditEventOf } from './fact-mapping';

/**
 * Every subgraph's facts into the audit log, each in the transaction that also records it
 * as processed (platform/outbox/consumer.ts): a fact delivered twice is one audit event, and
 * the stream acknowledges it only after that commit.
 */
export function outboxFactsConsumer(services: AuditServices): EventConsumer {
  const committed = new Map<string, AuditEvent[]>();
  return {
    name: AUDIT_TRAIL_CONSUMER,
    handles: Object.keys(FACT_MAPPINGS) as EventType[],
    apply: async (event, manager) => {
      const { events } = await services.ingest.recordIn(manager, [auditEventOf(event)]);
      committed.set(event.id, events);
    },
    afterCommit: async (event) => {
      const events = committed.get(event.id) ?? [];
      committed.delete(event.id);
      services.ingest.committed(events);
    },
  };
}
