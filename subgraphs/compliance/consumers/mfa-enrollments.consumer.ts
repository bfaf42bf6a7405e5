import type { EventConsumer } from '../../../platform/outbox/consumer';
import { MfaEnrollment } from '../entities/mfa-enrollment.entity';

/** Compliance's consumer of identity's second-factor facts. */
export const COMPLIANCE_MFA_ENROLLMENTS_CONSUMER = 'compliance.mfa-enrollments';

/** identity's `identity.mfa.changed` (enabled, disabled) → who has a second factor (the report's MFA adoption); an older fact changes nothing. */
export function mfaEnrollmentsConsumer(): EventConsumer {
  return {
    name: COMPLIANCE_MFA_ENROLLMENTS_CONSUMER,
    handles: ['identity.mfa.changed'],
    apply: async (event, manager) => {
      if (event.type !== 'identity.mfa.changed') return;
      // New recovery codes, or one used, leave the second factor as it was.
      if (event.payload.change !== 'enabled' && event.payload.change !== 'disabled') return;
      await manager.query(
        `INSERT INTO ${manager.connection.getMetadata(MfaEnrollment).tablePath} AS existing (user_id, enabled, source_sequence)
         VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET enabled = EXCLUDED.enabled, source_sequence = EXCLUDED.source_sequence
          WHERE existing.source_sequence < EXCLUDED.source_sequence`,
        [event.payload.userId, event.payload.change === 'enabled', String(event.sequence)],
      );
    },
  };
}
