import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { OutboxMessage } from '../../platform/outbox/outbox-message.entity';
import { ProcessedEvent } from '../../platform/outbox/processed-event.entity';
import { complianceMigrations } from '../../migrations/compliance';
import { membershipsConsumer } from './consumers/memberships.consumer';
import { ConsentRecord } from './entities/consent-record.entity';
import { ComplianceMembership } from './entities/membership.entity';
import { ConsentResolver } from './resolvers/consent.resolver';
import { createComplianceServices } from './services';
import type { ComplianceServices } from './services';

/**
 * Compliance: consent per person and purpose, with its full history. It knows who belongs
 * to which organization from identity's membership facts (its own projection).
 */
export const complianceSubgraph = defineSubgraph<ComplianceServices, Record<string, never>>({
  name: 'compliance',
  storage: {
    schema: 'compliance',
    entities: [ConsentRecord, ComplianceMembership, OutboxMessage, ProcessedEvent],
    migrations: complianceMigrations,
  },
  buildSchema: () => buildFederatedSchema({ name: 'compliance', resolvers: [ConsentResolver] }),
  createServices: createComplianceServices,
  createLoaders: () => ({}),
  publishes: ['audit.mutation.recorded'],
  consumers: (services) => [membershipsConsumer(services)],
});

/** For the commands, the runtime and tests, which import a subgraph only through this file. */
export { createComplianceServices } from './services';
export type { ComplianceServices } from './services';
