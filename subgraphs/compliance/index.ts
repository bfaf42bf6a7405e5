import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { OutboxMessage } from '../../platform/outbox/outbox-message.entity';
import { ProcessedEvent } from '../../platform/outbox/processed-event.entity';
import { complianceMigrations } from '../../migrations/compliance';
import { membershipsConsumer } from './consumers/memberships.consumer';
import { mfaEnrollmentsConsumer } from './consumers/mfa-enrollments.consumer';
import { organizationsConsumer } from './consumers/organizations.consumer';
import { retentionReportsConsumer } from './consumers/retention-reports.consumer';
import { ssoSignInsConsumer } from './consumers/sso-sign-ins.consumer';
import { pendingDeletionsConsumer } from './consumers/pending-deletions.consumer';
import { roleAssignmentsConsumer } from './consumers/role-assignments.consumer';
import { ConsentRecord } from './entities/consent-record.entity';
import { DataSubjectRequest } from './entities/data-subject-request.entity';
import { ExportChunk } from './entities/export-chunk.entity';
import { LegalHold } from './entities/legal-hold.entity';
import { ComplianceMembership } from './entities/membership.entity';
import { MfaEnrollment } from './entities/mfa-enrollment.entity';
import { ComplianceOrganization } from './entities/organization-name.entity';
import { RetentionPolicy } from './entities/retention-policy.entity';
import { RetentionRun, RetentionRunCategory } from './entities/retention-run.entity';
import { SsoSignIn } from './entities/sso-sign-in.entity';
import { AccessReview, AccessReviewEntry } from './entities/access-review.entity';
import { ComplianceRoleAssignment } from './entities/role-assignment.entity';
import { RoleChange } from './entities/role-change.entity';
import { applyRetentionJob } from './jobs/apply-retention.job';
import { processRequestsJob } from './jobs/process-requests.job';
import { ComplianceReportResolver } from './resolvers/compliance-report.resolver';
import { ComplianceRequestResolver } from './resolvers/compliance-request.resolver';
import { ConsentResolver } from './resolvers/consent.resolver';
import { LegalHoldResolver } from './resolvers/legal-hold.resolver';
import { RetentionResolver } from './resolvers/retention.resolver';
import { AccessReviewResolver } from './resolvers/access-review.resolver';
import { complianceRoutes } from './routes';
import { createComplianceServices } from './services';
import type { ComplianceServices } from './services';

/**
 * Compliance: consent per person and purpose, with its full history; legal holds (told to
 * the other subgraphs as facts); data-subject requests run through every subgraph's part;
 * retention policies, applied by the subgraphs owning the data on compliance's request; access
 * reviews, whose revocations authz applies; and compliance reports. It knows who belongs to which
 * organization, its name, who signs in through SSO and who has a second factor from identity's
 * facts, and who holds which role from authz's (its own projections).
 */
export const complianceSubgraph = defineSubgraph<ComplianceServices, Record<string, never>>({
  name: 'compliance',
  storage: {
    schema: 'compliance',
    entities: [
      ConsentRecord,
      LegalHold,
      ComplianceMembership,
      ComplianceOrganization,
      SsoSignIn,
      MfaEnrollment,
      RetentionPolicy,
      RetentionRun,
      RetentionRunCategory,
      DataSubjectRequest,
      ExportChunk,
      ComplianceRoleAssignment,
      RoleChange,
      AccessReview,
      AccessReviewEntry,
      OutboxMessage,
      ProcessedEvent,
    ],
    migrations: complianceMigrations,
  },
  buildSchema: () =>
    buildFederatedSchema({
      name: 'compliance',
      dataSubject: true,
      resolvers: [
        ConsentResolver,
        LegalHoldResolver,
        ComplianceRequestResolver,
        RetentionResolver,
        ComplianceReportResolver,
        AccessReviewResolver,
      ],
    }),
  createServices: createComplianceServices,
  createLoaders: () => ({}),
  publishes: [
    'compliance.legal_hold.placed',
    'compliance.legal_hold.released',
    'compliance.request.updated',
    'compliance.retention.requested',
    'compliance.access_review.started',
    'compliance.access_review.entry_decided',
    'compliance.access_review.completed',
    'compliance.access_review.revoke_requested',
    'audit.mutation.recorded',
  ],
  consumers: (services) => [
    membershipsConsumer(services),
    pendingDeletionsConsumer(services),
    organizationsConsumer(),
    ssoSignInsConsumer(),
    mfaEnrollmentsConsumer(),
    retentionReportsConsumer(services),
    roleAssignmentsConsumer(services),
  ],
  jobs: [processRequestsJob, applyRetentionJob],
  routes: complianceRoutes,
});

/** For the commands, the runtime and tests, which import a subgraph only through this file. */
export { createComplianceServices } from './services';
export type { ComplianceServices } from './services';
