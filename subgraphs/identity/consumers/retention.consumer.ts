import type { EventConsumer } from '../../../platform/outbox/consumer';
import { Outbox } from '../../../platform/outbox/outbox';
import { deletePastRetention, retentionConsumer } from '../../../platform/retention/retention-consumer';

/**
 * Compliance's retention requests for sign-in sessions: a session that has ended (signed out,
 * revoked or past its lifetime) and was last used before the cutoff goes, with its refresh
 * tokens. An open session is never cut short by a policy: the session policy ends it.
 */
export function identityRetentionConsumer(): EventConsumer {
  return retentionConsumer('identity', new Outbox(), {
    sessions: (manager, scope) =>
      deletePastRetention(manager, scope, {
        table: 'identity.sessions',
        candidates: 't.organization_id = $1 AND t.last_used_at < $2 AND (t.revoked_at IS NOT NULL OR t.expires_at <= now())',
        held: 't.user_id = ANY($3::varchar[])',
      }),
  });
}
