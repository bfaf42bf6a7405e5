import type { EventConsumer } from '../../../platform/outbox/consumer';
import { ComplianceOrganization } from '../entities/organization-name.entity';

/** Compliance's consumer of identity's organization facts. */
export const COMPLIANCE_ORGANIZATIONS_CONSUMER = 'compliance.organizations';

/** identity's organization created and renamed facts → each organization's name, as of identity's latest fact about it. */
export function organizationsConsumer(): EventConsumer {
  return {
    name: COMPLIANCE_ORGANIZATIONS_CONSUMER,
    handles: ['identity.organization.created', 'identity.organization.renamed'],
    apply: async (event, manager) => {
      if (event.type !== 'identity.organization.created' && event.type !== 'identity.organization.renamed') return;
      await manager.query(
        `INSERT INTO ${manager.connection.getMetadata(ComplianceOrganization).tablePath} AS existing (organization_id, name, source_sequence)
         VALUES ($1, $2, $3)
         ON CONFLICT (organization_id) DO UPDATE SET name = EXCLUDED.name, source_sequence = EXCLUDED.source_sequence
          WHERE existing.source_sequence < EXCLUDED.source_sequence`,
        [event.payload.organizationId, event.payload.name, String(event.sequence)],
      );
    },
  };
}
