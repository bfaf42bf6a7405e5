import { randomBytes } from 'node:crypto';
import { remoteAuditChainVerifier } from '../../../platform/audit-chain';
import { ServiceTokens } from '../../../platform/auth/service-token';
import { Outbox } from '../../../platform/outbox/outbox';
import { derivedKey } from '../../../platform/secrets';
import { subgraphSecretFor } from '../../../platform/subgraph-credential';
import type { SubgraphDependencies } from '../../../platform/subgraph';
import { AccessReviewService } from './access-review.service';
import { ComplianceReportService } from './compliance-report.service';
import { ComplianceDataSubjectService } from './data-subject.service';
import { DataSubjectRequestService } from './data-subject-request.service';
import { GatewayDataSubjectParts } from './data-subject-gateway';
import type { DataSubjectParts } from './data-subject-gateway';
import { ConsentService } from './consent.service';
import { LegalHoldService } from './legal-hold.service';
import { MembershipService } from './membership.service';
import { RetentionService } from './retention.service';
import { RoleAssignmentService } from './role-assignment.service';

export interface ComplianceServices {
  memberships: MembershipService;
  consents: ConsentService;
  legalHolds: LegalHoldService;
  /** Data-subject requests, run through every subgraph's part of the contract. */
  requests: DataSubjectRequestService;
  /** Compliance's own part of the contract: consents, holds and requests about the person. */
  dataSubject: ComplianceDataSubjectService;
  retention: RetentionService;
  reports: ComplianceReportService;
  /** Who holds which role, from authz's facts. */
  roleAssignments: RoleAssignmentService;
  accessReviews: AccessReviewService;
}

/** Without a config (a test of consent or holds), requests have nowhere to run: processing one fails. */
const NO_GATEWAY: DataSubjectParts = {
  export: () => {
    throw new Error('no gateway configured for data-subject requests');
  },
  erase: () => Promise.reject(new Error('no gateway configured for data-subject requests')),
};

/**
 * Compliance's services: holds, requests and retention requests are told to the other
 * subgraphs through compliance's outbox; requests reach each subgraph's data through the
 * gateway (`parts`, by default the configured gateway with compliance's service token). With
 * the process's config, reports get PDF links and ask audit to verify the chain.
 */
export function createComplianceServices(
  dependencies: Pick<SubgraphDependencies, 'dataSource'> &
    Partial<Pick<SubgraphDependencies, 'messaging' | 'config' | 'events'>> & { parts?: DataSubjectParts },
): ComplianceServices {
  const { dataSource, config } = dependencies;
  const outbox = new Outbox(dependencies.messaging);
  const memberships = new MembershipService(dataSource);
  const legalHolds = new LegalHoldService(dataSource, outbox, memberships);
  const parts =
    dependencies.parts ??
    (config ? new GatewayDataSubjectParts(config.compliance.gatewayUrl, ServiceTokens.fromConfig(config)) : NO_GATEWAY);
  const retention = new RetentionService(dataSource, outbox, legalHolds);
  const roleAssignments = new RoleAssignmentService(dataSource);
  const accessReviews = new AccessReviewService(dataSource, outbox, roleAssignments);
  return {
    roleAssignments,
    accessReviews,
    memberships,
    consents: new ConsentService(dataSource, memberships),
    legalHolds,
    requests: new DataSubjectRequestService(dataSource, outbox, dependencies.events ?? null, memberships, legalHolds, parts, {
      key: config ? derivedKey(config, 'compliance-export-links') : randomBytes(32),
      baseUrl: config?.compliance.publicUrl ?? '',
      linkTtlSeconds: config?.compliance.exportLinkTtlSeconds ?? 900,
    }),
    dataSubject: new ComplianceDataSubjectService(dataSource),
    retention,
    reports: new ComplianceReportService(
      dataSource,
      retention,
      legalHolds,
      accessReviews,
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
