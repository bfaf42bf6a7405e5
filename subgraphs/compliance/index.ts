import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { OutboxMessage } from '../../platform/outbox/outbox-message.entity';
import { ProcessedEvent } from '../../platform/outbox/processed-event.entity';
import { complianceMigrations } from '../../migrations/compliance';
import { membershipsConsumer } from './consumers/memberships.consumer';
import { ConsentRecord } from './entities/consent-record.entity';
import { LegalHold } from './entities/legal-hold.entity';
import { ComplianceMembership } from './entities/membership.entity';
import { ConsentResolver } from './resolvers/consent.resolver';
import { LegalHoldResolver } from './resolvers/legal-hold.resolver';
import { createComplianceServices } from './services';
import type { ComplianceServices } from './services';

/**
 * Compliance: consent per person and purpose, with its full history, and legal holds (told to
 * the other subgraphs as facts). It knows who belongs to which organization from identity's
 * membership facts (its own projection).
 */
export const complianceSubgraph = defineSubgraph<ComplianceServices, Record<string, never>>({
  name: 'compliance',
  storage: {
    schema: 'compliance',
    entities: [ConsentRecord, LegalHold, ComplianceMembership, OutboxMessage, ProcessedEvent],
    migrations: complianceMigrations,
  },
  buildSchema: () => buildFederatedSchema({ name: 'compliance', resolvers: [ConsentResolver, LegalHoldResolver] }),
  createServices: createComplianceServices,
  createLoaders: () => ({}),
  publishes: ['compliance.legal_hold.placed', 'compliance.legal_hold.released', 'audit.mutation.recorded'],
  consumers: (services) => [membershipsConsumer(services)],
});

/** For the commands, the runtime and tests, which import a subgraph only through this file. */
export { createComplianceServices } from './services';
export type { ComplianceServices } from './services';
