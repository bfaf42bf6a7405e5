import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { OutboxMessage } from '../../platform/outbox/outbox-message.entity';
import { ProcessedEvent } from '../../platform/outbox/processed-event.entity';
import { complianceMigrations } from '../../migrations/compliance';
import { membershipsConsumer } from './consumers/memberships.consumer';
import { pendingDeletionsConsumer } from './consumers/pending-deletions.consumer';
import { ConsentRecord } from './entities/consent-record.entity';
import { DataSubjectRequest } from './entities/data-subject-request.entity';
import { ExportChunk } from './entities/export-chunk.entity';
import { LegalHold } from './entities/legal-hold.entity';
import { ComplianceMembership } from './entities/membership.entity';
import { processRequestsJob } from './jobs/process-requests.job';
import { ComplianceRequestResolver } from './resolvers/compliance-request.resolver';
import { ConsentResolver } from './resolvers/consent.resolver';
import { LegalHoldResolver } from './resolvers/legal-hold.resolver';
import { complianceRoutes } from './routes';
import { createComplianceServices } from './services';
import type { ComplianceServices } from './services';

/**
 * Compliance: consent per person and purpose, with its full history, legal holds (told to
 * the other subgraphs as facts), and data-subject requests run through every subgraph's part. It knows who belongs to which organization from identity's
 * membership facts (its own projection).
 */
export const complianceSubgraph = defineSubgraph<ComplianceServices, Record<string, never>>({
  name: 'compliance',
  storage: {
    schema: 'compliance',
    entities: [ConsentRecord, LegalHold, ComplianceMembership, DataSubjectRequest, ExportChunk, OutboxMessage, ProcessedEvent],
    migrations: complianceMigrations,
  },
  buildSchema: () =>
    buildFederatedSchema({
      name: 'compliance',
      dataSubject: true,
      resolvers: [ConsentResolver, LegalHoldResolver, ComplianceRequestResolver],
    }),
  createServices: createComplianceServices,
  createLoaders: () => ({}),
  publishes: ['compliance.legal_hold.placed', 'compliance.legal_hold.released', 'compliance.request.updated', 'audit.mutation.recorded'],
  consumers: (services) => [membershipsConsumer(services), pendingDeletionsConsumer(services)],
  jobs: [processRequestsJob],
  routes: complianceRoutes,
});

/** For the commands, the runtime and tests, which import a subgraph only through this file. */
export { createComplianceServices } from './services';
export type { ComplianceServices } from './services';
