import { remoteAuditChainVerifier } from '../../../platform/audit-chain';
import { Outbox } from '../../../platform/outbox/outbox';
import { derivedKey } from '../../../platform/secrets';
import { subgraphSecretFor } from '../../../platform/subgraph-credential';
import type { SubgraphDependencies } from '../../../platform/subgraph';
import { ComplianceReportService } from './compliance-report.service';
import { ConsentService } from './consent.service';
import { LegalHoldService } from './legal-hold.service';
import { MembershipService } from './membership.service';
import { RetentionService } from './retention.service';

export interface ComplianceServices {
  memberships: MembershipService;
  consents: ConsentService;
  legalHolds: LegalHoldService;
  retention: RetentionService;
  reports: ComplianceReportService;
}

/**
 * Compliance's services: holds and retention requests are told to the other subgraphs through
 * compliance's outbox. With the process's config, reports get PDF links and ask audit to verify the chain.
 */
export function createComplianceServices(
  dependencies: Pick<SubgraphDependencies, 'dataSource'> & Partial<Pick<SubgraphDependencies, 'messaging' | 'config'>>,
): ComplianceServices {
  const { dataSource, config } = dependencies;
  const memberships = new MembershipService(dataSource);
  const outbox = new Outbox(dependencies.messaging);
  const legalHolds = new LegalHoldService(dataSource, outbox, memberships);
  const retention = new RetentionService(dataSource, outbox, legalHolds);
  return {
    memberships,
    consents: new ConsentService(dataSource, memberships),
    legalHolds,
    retention,
    reports: new ComplianceReportService(
      dataSource,
      retention,
      legalHolds,
      config
        ? {
            linkKey: derivedKey(config, 'compliance-report-links'),
            baseUrl: config.compliance.publicUrl,
            linkTtlSeconds: config.compliance.reportLinkTtlSeconds,
            verifyAuditChain: remoteAuditChainVerifier(new URL(config.subgraphs.audit.url).origin, () => subgraphSecretFor(config)),
          }
        : {},
    ),
  };
}
