import type { EventConsumer } from '../../../platform/outbox/consumer';
import { AUDIT_TRAIL_CONSUMER } from '../../../platform/outbox/event-catalogue';
import type { AnyEvent, EventType } from '../../../platform/outbox/event-catalogue';
import type { EntityManager } from 'typeorm';
import type { AuditEvent } from '../services/audit-event';
import type { AuditServices } from '../services';
import { MAX_INGEST_BATCH } from '../services/ingest.service';
import { FACT_MAPPINGS, auditEventOf } from './fact-mapping';

/**
 * Every subgraph's facts into the audit log, in the transaction that also records them as
 * processed (platform/outbox/consumer.ts): a fact delivered twice is one audit event, and the
 * stream acknowledges it only after that commit. A whole read of the streams is one
 * transaction (`applyBatch`): the ingest writes its events as it writes a group of API calls,
 * heads locked in organization order, ids, events and heads in one statement.
 */
export function outboxFactsConsumer(services: AuditServices): EventConsumer {
  const committed = new Map<string, AuditEvent[]>();
  const record = async (facts: readonly AnyEvent[], manager: EntityManager) => {
    for (let start = 0; start < facts.length; start += MAX_INGEST_BATCH) {
      const chunk = facts.slice(start, start + MAX_INGEST_BATCH);
      const { results, events } = await services.ingest.recordIn(manager, chunk.map(auditEventOf));
      const written = new Map(events.map((event) => [event.id, event]));
      chunk.forEach((fact, index) => {
        const event = written.get(results[index]!.id);
        committed.set(fact.id, event ? [event] : []);
      });
    }
  };
  return {
    name: AUDIT_TRAIL_CONSUMER,
    handles: Object.keys(FACT_MAPPINGS) as EventType[],
    apply: (event, manager) => record([event], manager),
    applyBatch: (events, manager) => record(events, manager),
    afterCommit: async (event) => {
      const events = committed.get(event.id) ?? [];
      committed.delete(event.id);
      services.ingest.committed(events);
    },
  };
}
