import type { DataSource } from 'typeorm';
import type { AuditChainStatus } from '../../../platform/audit-chain';
import { assertOwnOrganization } from '../../../platform/context';
import { ServiceUnavailableError } from '../../../platform/errors';
import { RETENTION_CATEGORIES, RETENTION_CATEGORY_NAMES } from '../../../platform/retention/retention-categories';
import type { RetentionAction, RetentionCategory } from '../../../platform/retention/retention-categories';
import { SignedLinks } from '../../../platform/signed-links';
import { ComplianceOrganization } from '../entities/organization-name.entity';
import { RetentionRunStatus } from '../entities/retention-run.entity';
import type { AccessReviewFigures, AccessReviewService } from './access-review.service';
import type { Caller } from './caller';
import { renderComplianceReportPdf } from './compliance-report-pdf';
import { countDataSubjectRequests } from './data-subject-request-counts';
import type { DataSubjectRequestCounts } from './data-subject-request-counts';
import type { LegalHoldService } from './legal-hold.service';
import type { RetentionService } from './retention.service';

export enum ComplianceStandard {
  GDPR = 'gdpr',
  HIPAA = 'hipaa',
  SOC2 = 'soc2',
}

export enum CheckStatus {
  PASS = 'pass',
  ATTENTION = 'attention',
  NOT_MEASURED = 'not_measured',
}

/** One requirement of the standard, as far as the figures show it. */
export interface ComplianceCheck {
  /** Where the requirement comes from: `GDPR Art. 12(3)`, `45 CFR 164.312(b)`, `SOC 2 CC6.1`. */
  reference: string;
  title: string;
  status: CheckStatus;
  detail: string;
}

export interface RetentionCoverage {
  category: RetentionCategory;
  label: string;
  keepDays: number | null;
  action: RetentionAction | null;
  /** When a real run last completed for the category, and what it removed. */
  lastAppliedAt: Date | null;
  lastAffected: number | null;
}

export interface Adoption {
  /** Active members. */
  members: number;
  /** Members using it; null when it cannot be measured. */
  adopted: number | null;
  note: string | null;
}

export interface ComplianceReport {
  organizationId: string;
  organizationName: string | null;
  standard: ComplianceStandard;
  generatedAt: Date;
  requests: DataSubjectRequestCounts;
  retention: RetentionCoverage[];
  holds: { active: number; organizationWide: boolean; peopleHeld: number };
  /** Null when audit did not answer. */
  auditChain: AuditChainStatus | null;
  mfa: Adoption;
  sso: Adoption;
  /** Always measured now (`measured` stays for clients that read it); `note` says what the figures cover. */
  accessReviews: AccessReviewFigures & { note: string };
  /** Active members who sign in through SSO or have a second factor. */
  signInProtected: number;
  checks: ComplianceCheck[];
}

interface ReportLinkClaims {
  organizationId: string;
  userId: string;
  standard: ComplianceStandard;
}

export const COMPLIANCE_REPORT_DOWNLOAD_PATH = '/api/v1/compliance/reports/download';

export interface ComplianceReportOptions {
  /** Signs the PDF download links; absent: no links can be made (a process without config). */
  linkKey?: Buffer;
  baseUrl?: string;
  linkTtlSeconds?: number;
  /** Asks audit to verify an organization's chain (platform/audit-chain.ts); absent: not verified. */
  verifyAuditChain?: (organizationId: string) => Promise<AuditChainStatus | null>;
}

const ACCESS_REVIEW_NOTE =
  'From compliance’s access reviews and its copy of authz’s role assignments: the last completed review, members holding the owner or admin role, and roles given or taken since that review.';
/** What the storage-limitation checks count as personal data (usage is the organization's, not a person's). */
const PERSONAL_CATEGORIES: RetentionCategory[] = ['audit_events', 'call_records', 'recordings', 'sessions'];

/**
 * The compliance report of an organization for one standard: its data-subject requests,
 * retention coverage, legal holds, audit-chain verification, MFA and SSO adoption and access
 * reviews, and the standard's checks over them; as JSON, or as a PDF behind a signed link.
 * The audit chain is verified by audit (a call between services, made outside any transaction).
 */
export class ComplianceReportService {
  private readonly links: SignedLinks<ReportLinkClaims> | null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly retention: RetentionService,
    private readonly legalHolds: LegalHoldService,
    private readonly accessReviews: AccessReviewService,
    private readonly options: ComplianceReportOptions = {},
  ) {
    this.links = options.linkKey ? new SignedLinks(options.linkKey) : null;
  }

  async report(caller: Caller, organizationId: string, standard: ComplianceStandard): Promise<ComplianceReport> {
    assertOwnOrganization(caller.principal, organizationId);
    return this.build(organizationId, standard);
  }

  /** A link to the report as a PDF, made when it is downloaded, valid COMPLIANCE_REPORT_LINK_TTL_SECONDS. */
  async pdfLink(caller: Caller, organizationId: string, standard: ComplianceStandard): Promise<{ url: string; expiresAt: Date }> {
    assertOwnOrganization(caller.principal, organizationId);
    if (!this.links || !this.options.baseUrl) throw new ServiceUnavailableError('compliance', 'Report downloads are not configured here.');
    const expiresAt = new Date(Date.now() + (this.options.linkTtlSeconds ?? 900) * 1000);
    const token = this.links.sign({ organizationId, userId: caller.principal.userId, standard }, expiresAt);
    const url = new URL(COMPLIANCE_REPORT_DOWNLOAD_PATH, this.options.baseUrl);
    url.searchParams.set('token', token);
    return { url: url.toString(), expiresAt };
  }

  /** The grant of a download link (FORBIDDEN when bad or expired); the route checks the holder may still read compliance. */
  openLink(token: string): ReportLinkClaims {
    if (!this.links) throw new ServiceUnavailableError('compliance', 'Report downloads are not configured here.');
    return this.links.open(token).claims;
  }

  async pdf(organizationId: string, standard: ComplianceStandard): Promise<{ report: ComplianceReport; pdf: Buffer }> {
    const report = await this.build(organizationId, standard);
    return { report, pdf: await renderComplianceReportPdf(report) };
  }

  private async build(organizationId: string, standard: ComplianceStandard): Promise<ComplianceReport> {
    const [organization, requests, retention, held, people, reviews, auditChain] = await Promise.all([
      this.dataSource.getRepository(ComplianceOrganization).findOneBy({ organizationId }),
      countDataSubjectRequests(this.dataSource, organizationId),
      this.coverage(organizationId),
      this.legalHolds.heldIn(organizationId),
      this.people(organizationId),
      this.accessReviews.figures(organizationId),
      this.options.verifyAuditChain ? this.options.verifyAuditChain(organizationId) : Promise.resolve(null),
    ]);
    const report: Omit<ComplianceReport, 'checks'> = {
      organizationId,
      organizationName: organization?.name ?? null,
      standard,
      generatedAt: new Date(),
      requests,
      retention,
      holds: { active: held.active, organizationWide: held.organization, peopleHeld: held.userIds.length },
      auditChain,
      mfa: {
        members: people.members,
        adopted: people.mfa,
        note: 'Active members with a second factor (TOTP) turned on.',
      },
      sso: {
        members: people.members,
        adopted: people.sso,
        note: 'Active members who have signed in through the organization’s identity provider at least once.',
      },
      accessReviews: { ...reviews, note: ACCESS_REVIEW_NOTE },
      signInProtected: people.protected,
    };
    return { ...report, checks: checksOf(report) };
  }

  private async coverage(organizationId: string): Promise<RetentionCoverage[]> {
    const policies = await this.retention.policiesOf(organizationId);
    const applied = (await this.dataSource.query(
      `SELECT DISTINCT ON (c.category) c.category, c.reported_at, c.affected
         FROM compliance.retention_run_categories c JOIN compliance.retention_runs r ON r.id = c.run_id
        WHERE r.organization_id = $1 AND NOT r.dry_run AND c.status = $2
        ORDER BY c.category, c.reported_at DESC`,
      [organizationId, RetentionRunStatus.COMPLETED],
    )) as { category: RetentionCategory; reported_at: Date; affected: number }[];
    return RETENTION_CATEGORY_NAMES.map((category) => {
      const policy = policies.find((p) => p.category === category);
      const last = applied.find((row) => row.category === category);
      return {
        category,
        label: RETENTION_CATEGORIES[category].label,
        keepDays: policy?.keepDays ?? null,
        action: policy?.action ?? null,
        lastAppliedAt: last?.reported_at ?? null,
        lastAffected: last?.affected ?? null,
      };
    });
  }

  /** Active members, how many have signed in through SSO and how many have a second factor (compliance's projections of identity's facts). */
  private async people(organizationId: string): Promise<{ members: number; sso: number; mfa: number; protected: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS members, count(s.user_id)::int AS sso, count(*) FILTER (WHERE f.enabled)::int AS mfa,
              count(*) FILTER (WHERE s.user_id IS NOT NULL OR f.enabled)::int AS protected
         FROM compliance.memberships m
         LEFT JOIN compliance.sso_sign_ins s ON s.organization_id = m.organization_id AND s.user_id = m.user_id
         LEFT JOIN compliance.mfa_enrollments f ON f.user_id = m.user_id
        WHERE m.organization_id = $1 AND m.status = 'active'`,
      [organizationId],
    )) as { members: number; sso: number; mfa: number; protected: number }[];
    return row;
  }
}

function checksOf(report: Omit<ComplianceReport, 'checks'>): ComplianceCheck[] {
  const { requests, auditChain, sso, mfa } = report;
  const requestsCheck = (reference: string, title: string): ComplianceCheck => ({
    reference,
    title,
    status: requests.overdue === 0 ? CheckStatus.PASS : CheckStatus.ATTENTION,
    detail: `${requests.open} open, ${requests.overdue} overdue.`,
  });
  const chainCheck = (reference: string, title: string): ComplianceCheck => ({
    reference,
    title,
    status: !auditChain ? CheckStatus.NOT_MEASURED : auditChain.valid ? CheckStatus.PASS : CheckStatus.ATTENTION,
    detail: !auditChain
      ? 'The audit subgraph did not answer: the chain was not verified.'
      : auditChain.valid
        ? `The hash chain verifies over ${auditChain.checkedEvents} events.`
        : `${auditChain.problem?.kind ?? 'BROKEN'}: ${auditChain.problem?.message ?? 'the chain does not verify'}`,
  });
  const coverageCheck = (reference: string, title: string, categories: RetentionCategory[]): ComplianceCheck => {
    const missing = categories.filter((category) => !report.retention.find((row) => row.category === category)?.keepDays);
    return {
      reference,
      title,
      status: missing.length === 0 ? CheckStatus.PASS : CheckStatus.ATTENTION,
      detail: missing.length === 0 ? 'Every category has a retention policy.' : `No retention policy for: ${missing.join(', ')}.`,
    };
  };
  // Either protects a sign-in beyond a password: the identity provider's own checks, or a second factor here.
  const ssoCheck = (reference: string, title: string): ComplianceCheck => ({
    reference,
    title,
    status: sso.members > 0 && report.signInProtected === sso.members ? CheckStatus.PASS : CheckStatus.ATTENTION,
    detail: `${sso.adopted ?? 0} of ${sso.members} active members sign in through SSO, ${mfa.adopted ?? 0} have a second factor; ${report.signInProtected} have either.`,
  });
  const reviewCheck = (reference: string, title: string): ComplianceCheck => {
    const reviews = report.accessReviews;
    const privileged = `${reviews.privilegedMembers} members hold the owner or admin role`;
    const last = reviews.lastCompleted;
    return {
      reference,
      title,
      status: reviews.withinInterval ? CheckStatus.PASS : CheckStatus.ATTENTION,
      detail: last
        ? `Last access review completed ${last.completedAt.toISOString().slice(0, 10)} by ${last.completedById}, ` +
          `${reviews.daysSinceLastReview} days ago (at most ${reviews.intervalDays} expected); ` +
          `${reviews.roleChangesSinceLastReview} role changes since; ${privileged}.`
        : `No access review completed yet (one at least every ${reviews.intervalDays} days expected); ${privileged}.`,
    };
  };
  switch (report.standard) {
    case ComplianceStandard.GDPR:
      return [
        requestsCheck('GDPR Art. 12(3)', 'Data-subject requests answered within one month'),
        coverageCheck('GDPR Art. 5(1)(e)', 'Storage limitation: personal data kept no longer than necessary', PERSONAL_CATEGORIES),
        chainCheck('GDPR Art. 5(2)', 'Accountability: a tamper-evident record of processing'),
        ssoCheck('GDPR Art. 32', 'Security of processing: sign-ins protected by SSO or a second factor'),
        // Art. 32(1)(d): regularly testing, assessing and evaluating the measures; who holds access is one.
        reviewCheck('GDPR Art. 32(1)(d)', 'Access to personal data regularly reviewed'),
      ];
    case ComplianceStandard.HIPAA:
      return [
        chainCheck('45 CFR 164.312(b)', 'Audit controls'),
        ssoCheck('45 CFR 164.312(d)', 'Person or entity authentication'),
        reviewCheck('45 CFR 164.308(a)(4)', 'Information access management: access reviewed'),
        coverageCheck('45 CFR 164.310(d)(2)(i)', 'Disposal of electronic protected health information', ['call_records', 'recordings']),
        requestsCheck('45 CFR 164.524', 'Access requests answered within 30 days'),
      ];
    case ComplianceStandard.SOC2:
      return [
        ssoCheck('SOC 2 CC6.1', 'Logical access: sign-ins protected by SSO or a second factor'),
        reviewCheck('SOC 2 CC6.2, CC6.3', 'User access reviewed and removed when no longer needed'),
        chainCheck('SOC 2 CC7.2', 'System monitoring: the audit trail is intact'),
        coverageCheck('SOC 2 C1.2', 'Confidential information disposed of on schedule', RETENTION_CATEGORY_NAMES),
        requestsCheck('SOC 2 P5.1', 'Data subjects’ access requests answered'),
      ];
  }
}
