import type { EntityManager } from 'typeorm';
import type { DataSubject, DataSubjectErasure } from '../personal-data/data-subject';
import { OutboxMessage } from './outbox-message.entity';

/**
 * A subgraph's part of an erasure in its own outbox: the mutation facts it keeps for the audit
 * log (`audit.mutation.recorded`, kept EVENT_RETENTION_HOURS once sent) lose the person's
 * address, user agent and arguments, the same parts the audit log anonymises. One not yet
 * sent reaches the audit log without them.
 */
export async function eraseMutationFacts(manager: EntityManager, { organizationId, userId }: DataSubject): Promise<DataSubjectErasure> {
  const table = manager.connection.getMetadata(OutboxMessage).tablePath;
  const [, anonymised] = (await manager.query(
    `UPDATE ${table} SET payload = payload || '{"arguments": {}, "ip": null, "userAgent": null}'::jsonb
      WHERE type = 'audit.mutation.recorded' AND payload->>'organizationId' = $1 AND payload->>'userId' = $2
        AND (payload->>'ip' IS NOT NULL OR payload->>'userAgent' IS NOT NULL OR payload->'arguments' <> '{}'::jsonb)`,
    [organizationId, userId],
  )) as [unknown, number];
  return { kind: 'mutation_fact', erased: 0, anonymised, kept: 0, note: 'address, user agent and arguments removed' };
}
