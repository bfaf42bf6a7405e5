import type { EventConsumer } from '../../../platform/outbox/consumer';
import { SsoSignIn } from '../entities/sso-sign-in.entity';

/** Compliance's consumer of identity's single sign-on facts. */
export const COMPLIANCE_SSO_SIGN_INS_CONSUMER = 'compliance.sso-sign-ins';

/** identity's `identity.sso.login_succeeded` → when each member last signed in through SSO (the report's SSO adoption). */
export function ssoSignInsConsumer(): EventConsumer {
  return {
    name: COMPLIANCE_SSO_SIGN_INS_CONSUMER,
    handles: ['identity.sso.login_succeeded'],
    apply: async (event, manager) => {
      if (event.type !== 'identity.sso.login_succeeded') return;
      await manager.query(
        `INSERT INTO ${manager.connection.getMetadata(SsoSignIn).tablePath} AS existing (organization_id, user_id, last_signed_in_at)
         VALUES ($1, $2, $3)
         ON CONFLICT (organization_id, user_id) DO UPDATE
            SET last_signed_in_at = GREATEST(existing.last_signed_in_at, EXCLUDED.last_signed_in_at)`,
        [event.payload.organizationId, event.payload.userId, new Date(event.occurredAt)],
      );
    },
  };
}
