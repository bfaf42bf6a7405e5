import { AuditDataSubjectService } from './data-subject.service';
import { hostname } from 'node:os';
import { ADMIN_ROLE_IDS } from '../../../platform/auth/admin-networks';
import type { AccessControl } from '../../../platform/authorization/access-control';
import type { Config } from '../../../platform/config';
import type { InProcessDecisionLog } from '../../../platform/authorization/decision-log';
import { JobRunStore } from '../../../platform/jobs/run-store';
import { derivedKey, secretBoxFor } from '../../../platform/secrets';
import type { SubgraphDependencies } from '../../../platform/subgraph';
import { DecisionStreamConsumer, auditEventOfDecision } from '../consumers/decision-stream.consumer';
import { AuditLogService } from './audit-log.service';
import { ExportService } from './export.service';
import { IngestService } from './ingest.service';
import { JobRunService } from './job-run.service';
import { ensurePartitions } from './partitions';
import { RetentionService } from './retention.service';
import { SecurityEventService } from './security-event.service';
import { securityRules } from './security-rules';
import { SiemService } from './siem.service';
import { SigningService } from './signing.service';
import { VerificationService } from './verification.service';

export interface AuditServices {
  ingest: IngestService;
  logs: AuditLogService;
  signing: SigningService;
  verification: VerificationService;
  exports: ExportService;
  securityEvents: SecurityEventService;
  retention: RetentionService;
  siem: SiemService;
  /** The organization's background job runs (pg-boss's tables, `config.jobs.schema`). */
  jobRuns: JobRunService;
  /** The data-subject contract: the events the person acted in, anonymised on erasure. */
  dataSubject: AuditDataSubjectService;
}

export type AuditDependencies = Pick<SubgraphDependencies, 'dataSource' | 'config'> &
  Partial<Pick<SubgraphDependencies, 'events' | 'logger'>> & { access?: Pick<AccessControl, 'authorizer'> };

export function createAuditServices(dependencies: AuditDependencies): AuditServices {
  const { dataSource, config } = dependencies;
  const ingest = new IngestService(dataSource);
  const signing = new SigningService(dataSource, secretBoxFor(config));
  const authorizer = dependencies.access?.authorizer;
  const securityEvents = new SecurityEventService(
    dataSource,
    securityRules({
      largeExportRows: config.audit.largeExportRows,
      // Who is an admin now, from the policy every process keeps (authz's role assignments).
      isAdmin: authorizer
        ? async (organizationId, userId) => {
            const policy = await authorizer.policyFor(organizationId);
            return ADMIN_ROLE_IDS.some((roleId) => policy.holds(userId, roleId, authorizer.now()));
          }
        : undefined,
    }),
    dependencies.events ?? null,
    dependencies.logger ?? null,
  );
  ingest.onCommitted((events) => securityEvents.observe(events));
  return {
    ingest,
    logs: new AuditLogService(dataSource),
    signing,
    verification: new VerificationService(dataSource, signing),
    exports: new ExportService(dataSource, ingest, {
      key: derivedKey(config, 'audit-export-links'),
      baseUrl: config.audit.publicUrl,
      linkTtlSeconds: config.audit.exportLinkTtlSeconds,
    }),
    securityEvents,
    retention: new RetentionService(dataSource),
    // Plain http only to this machine, and never in production (tests run a local receiver).
    siem: new SiemService(
      dataSource,
      secretBoxFor(config),
      { allowPlainHttpToLocalhost: config.env !== 'production' },
      dependencies.logger ?? null,
    ),
    jobRuns: new JobRunService(
      new JobRunStore((sql, values) => dataSource.query(sql, values), config.jobs.schema),
      dependencies.events ?? null,
    ),
    dataSubject: new AuditDataSubjectService(dataSource),
  };
}

/**
 * While audit is served: its month partitions kept ahead (checked hourly), chain heads
 * signed every AUDIT_CHECKPOINT_INTERVAL_SECONDS, SIEM sinks served every second, and the permission decisions read from
 * the decision stream (Redis), or heard in this process without Redis.
 */
export async function startAuditBackground(
  services: AuditServices,
  dependencies: Pick<SubgraphDependencies, 'dataSource' | 'config' | 'logger' | 'access'>,
): Promise<{ close(): Promise<void> }> {
  const { dataSource, config, logger } = dependencies;
  await ensurePartitions(dataSource);
  let delivering = false;
  const timers = [
    setInterval(
      () => void ensurePartitions(dataSource).catch((error: unknown) => logger.warn({ err: error }, 'audit: partitions')),
      3600_000,
    ),
    setInterval(() => {
      // One round at a time: a slow receiver must not pile rounds up.
      if (delivering) return;
      delivering = true;
      void services.siem
        .deliverDue()
        .catch((error: unknown) => logger.warn({ err: error }, 'audit: SIEM delivery'))
        .finally(() => (delivering = false));
    }, 1_000),
    setInterval(
      () => void services.signing.checkpoint().catch((error: unknown) => logger.warn({ err: error }, 'audit: checkpoints')),
      config.audit.checkpointIntervalSeconds * 1000,
    ),
  ];
  for (const timer of timers) timer.unref();
  const stream = decisionsFeed(services, config, dependencies);
  await stream.start();
  return {
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await stream.close();
    },
  };
}

function decisionsFeed(
  services: AuditServices,
  config: Config,
  dependencies: Pick<SubgraphDependencies, 'logger' | 'access'>,
): { start(): Promise<void>; close(): Promise<void> } {
  if (config.redisUrl) {
    return new DecisionStreamConsumer(
      config.redisUrl,
      config.audit.decisionStream,
      `${hostname()}-${process.pid}`,
      services.ingest,
      dependencies.logger,
    );
  }
  const log = dependencies.access.decisions as InProcessDecisionLog;
  let counter = 0;
  let stop: (() => void) | undefined;
  return {
    start: async () => {
      stop = log.onDecision?.((decision) => {
        counter += 1;
        void services.ingest
          .record([auditEventOfDecision(`${Date.now()}-${process.pid}-${counter}`, decision)])
          .catch((error: unknown) => dependencies.logger.warn({ err: error }, 'audit: could not record a decision'));
      });
    },
    close: async () => stop?.(),
  };
}
