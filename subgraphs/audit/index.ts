import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { auditMigrations } from '../../migrations/audit';
import { ProcessedEvent } from '../../platform/outbox/processed-event.entity';
import { OutboxMessage } from '../../platform/outbox/outbox-message.entity';
import { auditEventOf } from './consumers/fact-mapping';
import { outboxFactsConsumer } from './consumers/outbox-facts.consumer';
import { auditRetentionConsumer } from './consumers/retention.consumer';
import { newId } from '../../platform/ids';
import { AuditSettings } from './entities/audit-settings.entity';
import { ChainHead } from './entities/chain-head.entity';
import { Checkpoint } from './entities/checkpoint.entity';
import { SecurityEvent } from './entities/security-event.entity';
import { AuditSigningKey } from './entities/signing-key.entity';
import { SiemDelivery } from './entities/siem-delivery.entity';
import { SiemSink } from './entities/siem-sink.entity';
import { archiveEventsJob } from './jobs/archive-events.job';
import { AuditChainResolver } from './resolvers/audit-chain.resolver';
import { AuditExportResolver } from './resolvers/audit-export.resolver';
import { AuditIngestResolver } from './resolvers/audit-ingest.resolver';
import { AuditLogResolver } from './resolvers/audit-log.resolver';
import { AuditSettingsResolver } from './resolvers/audit-settings.resolver';
import { AuditSinkResolver } from './resolvers/audit-sink.resolver';
import { JobRunResolver } from './resolvers/job-run.resolver';
import { SecurityEventResolver } from './resolvers/security-event.resolver';
import { auditRoutes } from './routes';
import { createAuditServices, startAuditBackground } from './services';
import type { AuditServices } from './services';
import { AuditOrganizationReference, AuditUserReference } from './types/federated-entities.type';

/**
 * The audit trail: every subgraph's facts (outbox), every mutation's outcome (platform
 * plugin), permission decisions (Redis stream) and events written through the API, in one
 * hash chain per organization with signed checkpoints; queries, streamed exports, security
 * events and retention.
 */
export const auditSubgraph = defineSubgraph<AuditServices, Record<string, never>>({
  name: 'audit',
  storage: {
    schema: 'audit',
    entities: [ChainHead, Checkpoint, AuditSigningKey, AuditSettings, SecurityEvent, SiemSink, SiemDelivery, ProcessedEvent, OutboxMessage],
    migrations: auditMigrations,
  },
  buildSchema: () =>
    buildFederatedSchema({
      name: 'audit',
      dataSubject: true,
      resolvers: [
        AuditLogResolver,
        AuditChainResolver,
        AuditIngestResolver,
        AuditExportResolver,
        SecurityEventResolver,
        AuditSettingsResolver,
        AuditSinkResolver,
        JobRunResolver,
      ],
      orphanedTypes: [AuditUserReference, AuditOrganizationReference],
    }),
  createServices: createAuditServices,
  createLoaders: () => ({}),
  consumers: (services) => [outboxFactsConsumer(services), auditRetentionConsumer(services)],
  // Only what it tells compliance; its own mutations and facts go straight into its chain.
  publishes: ['retention.applied'],
  // Audit's own mutations go straight into its chain (its outbox carries only retention reports). A successful
  // recordAuditEvents is not recorded again: the events it wrote are the record.
  mutationAudit: (services) => ({
    record: async (fact) => {
      if (fact.field === 'recordAuditEvents' && fact.outcome === 'success') return;
      await services.ingest.record([
        auditEventOf({
          id: newId('event'),
          type: 'audit.mutation.recorded',
          source: 'audit',
          sequence: 0,
          occurredAt: new Date(fact.at),
          payload: fact,
        }),
      ]);
    },
  }),
  background: startAuditBackground,
  jobs: [archiveEventsJob],
  routes: auditRoutes,
});

/** For the commands, the runtime and tests, which import a subgraph only through this file. */
export { createAuditServices } from './services';
export type { AuditServices } from './services';
export { ensurePartitions } from './services/partitions';
