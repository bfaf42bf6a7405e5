import type { EventConsumer } from '../../../platform/outbox/consumer';
import { Outbox } from '../../../platform/outbox/outbox';
import { deletePastRetention, retentionConsumer } from '../../../platform/retention/retention-consumer';

/**
 * Compliance's retention requests for analytics' categories. A call is past its retention
 * once it ended before the cutoff; one with a recording stays until the recording goes (the
 * recordings' own policy), as a recording belongs to its call: the first run after that takes it,
 * so a dry run and the run after it count the same calls. A call or recording is held
 * when any held person took part in it.
 */
export function analyticsRetentionConsumer(): EventConsumer {
  return retentionConsumer('analytics', new Outbox(), {
    call_records: (manager, scope) =>
      deletePastRetention(manager, scope, {
        table: 'analytics.call_records',
        candidates: `t.organization_id = $1 AND t.ended_at IS NOT NULL AND t.ended_at < $2
          AND NOT EXISTS (SELECT 1 FROM analytics.recordings r WHERE r.organization_id = t.organization_id AND r.call_id = t.call_id)`,
        held: 't.participants && $3::varchar[]',
      }),
    recordings: (manager, scope) =>
      deletePastRetention(manager, scope, {
        table: 'analytics.recordings',
        candidates: 't.organization_id = $1 AND t.created_at < $2',
        held: `EXISTS (SELECT 1 FROM analytics.call_records c
                WHERE c.organization_id = t.organization_id AND c.call_id = t.call_id AND c.participants && $3::varchar[])`,
      }),
  });
}
