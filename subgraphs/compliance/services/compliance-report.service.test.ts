import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuditChainStatus } from '../../../platform/audit-chain';
import { applyOnce } from '../../../platform/outbox/consumer';
import { ForbiddenError } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import type { AnyEvent } from '../../../platform/outbox/event-catalogue';
import { callerWith, openComplianceSpec } from '../../../tests/kit/compliance-spec';
import type { ComplianceSpec } from '../../../tests/kit/compliance-spec';
import { mfaEnrollmentsConsumer } from '../consumers/mfa-enrollments.consumer';
import { organizationsConsumer } from '../consumers/organizations.consumer';
import { ssoSignInsConsumer } from '../consumers/sso-sign-ins.consumer';
import { CheckStatus, ComplianceReportService, ComplianceStandard } from './compliance-report.service';
import type { ComplianceServices } from '.';

let spec: ComplianceSpec | undefined;
let dataSource: DataSource;
let services: ComplianceServices;
let chain: AuditChainStatus | null = null;
let reports: ComplianceReportService;
let sequence = 0;

beforeAll(async () => {
  spec = await openComplianceSpec('compliance-report-test');
  ({ dataSource, services } = spec);
  reports = new ComplianceReportService(dataSource, services.retention, services.legalHolds, services.accessReviews, {
    linkKey: randomBytes(32),
    baseUrl: 'http://compliance.example.test',
    linkTtlSeconds: 60,
    verifyAuditChain: async () => chain,
  });
});
afterAll(async () => spec?.close());

/** One of identity's facts, applied by compliance's consumer as the relay would deliver it. */
async function fact(consumer: ReturnType<typeof organizationsConsumer>, event: Pick<AnyEvent, 'type' | 'payload'>): Promise<void> {
  await applyOnce(dataSource, consumer, {
    id: newId('event'),
    source: 'identity',
    sequence: ++sequence,
    occurredAt: new Date(),
    ...event,
  } as AnyEvent);
}

async function organization(name: string) {
  const organizationId = newId('organization');
  const [owner, member] = [newId('user'), newId('user')];
  const membership = (event: object) =>
    dataSource.transaction((manager) =>
      services.memberships.apply(
        { id: newId('event'), source: 'identity', sequence: ++sequence, occurredAt: new Date(), ...event } as never,
        manager,
      ),
    );
  const created = { organizationId, name, creatorUserId: owner, creatorMembershipId: newId('member') };
  await membership({ type: 'identity.organization.created', payload: created });
  await fact(organizationsConsumer(), { type: 'identity.organization.created', payload: created });
  await membership({
    type: 'identity.member.added',
    payload: { organizationId, userId: member, membershipId: newId('member'), status: 'active' },
  });
  return { organizationId, owner, member, admin: callerWith(organizationId, owner) };
}

describe('compliance reports', () => {
  it('answers retention coverage, holds, SSO adoption and the standard’s checks from what compliance holds', async () => {
    const { organizationId, owner, member, admin } = await organization('Fabrikam Health');
    await services.retention.setPolicy(admin, { organizationId, category: 'recordings', keepDays: 30 });
    await services.legalHolds.place(admin, { organizationId, userId: member, reason: 'Claim' });
    await fact(ssoSignInsConsumer(), {
      type: 'identity.sso.login_succeeded',
      payload: { organizationId, userId: owner, ssoConfigId: 'sso_1', providerType: 'oidc', sessionId: 'sess_1', provisioned: false },
    });
    await fact(mfaEnrollmentsConsumer(), {
      type: 'identity.mfa.changed',
      payload: { organizationId: newId('organization'), userId: member, change: 'enabled' },
    });
    chain = { valid: true, checkedEvents: 12, lastSequence: 12, problem: null };
    // Three requests about the member: one open and due, one open and past its due date, one completed.
    for (const [status, due] of [
      ['received', "now() + interval '20 days'"],
      ['awaiting_approval', "now() - interval '1 day'"],
      ['completed', "now() - interval '5 days'"],
    ] as const)
      await dataSource.query(
        `INSERT INTO compliance.data_subject_requests (id, organization_id, user_id, requested_by_id, type, status, regulation, received_at, due_at, updated_at)
         VALUES ($1, $2, $3, $3, 'export', $4, 'hipaa', now() - interval '40 days', ${due}, now())`,
        [newId('complianceRequest'), organizationId, member, status],
      );

    const report = await reports.report(admin, organizationId, ComplianceStandard.HIPAA);
    expect(report).toMatchObject({
      organizationName: 'Fabrikam Health',
      requests: { open: 2, overdue: 1 },
      holds: { active: 1, organizationWide: false, peopleHeld: 1 },
      auditChain: { valid: true, checkedEvents: 12 },
      mfa: { members: 2, adopted: 1 },
      sso: { members: 2, adopted: 1 },
      accessReviews: { lastCompleted: null, privilegedMembers: 0 },
    });
    expect(report.retention.map((row) => [row.category, row.keepDays])).toEqual([
      ['audit_events', null],
      ['call_records', null],
      ['recordings', 30],
      ['usage', null],
      ['sessions', null],
    ]);
    expect(report.checks.map((check) => [check.reference, check.status])).toEqual([
      ['45 CFR 164.312(b)', CheckStatus.PASS],
      // The owner signs in through SSO, the member has a second factor (turned on in another organization).
      ['45 CFR 164.312(d)', CheckStatus.PASS],
      ['45 CFR 164.308(a)(4)', CheckStatus.ATTENTION],
      ['45 CFR 164.310(d)(2)(i)', CheckStatus.ATTENTION],
      ['45 CFR 164.524', CheckStatus.ATTENTION],
    ]);
    expect(report.checks[4]!.detail).toBe('2 open, 1 overdue.');
    expect(report.checks[3]!.detail).toBe('No retention policy for: call_records.');
    // Turned off again: the member's sign-in is no longer protected.
    await fact(mfaEnrollmentsConsumer(), { type: 'identity.mfa.changed', payload: { organizationId, userId: member, change: 'disabled' } });
    expect((await reports.report(admin, organizationId, ComplianceStandard.HIPAA)).checks[1]).toMatchObject({
      status: CheckStatus.ATTENTION,
      detail: '1 of 2 active members sign in through SSO, 0 have a second factor; 1 have either.',
    });

    // A broken chain, or audit not answering, is said as such.
    chain = { valid: false, checkedEvents: 3, lastSequence: 3, problem: { kind: 'MISSING', sequence: 4, message: 'Event 4 is missing' } };
    const broken = await reports.report(admin, organizationId, ComplianceStandard.GDPR);
    expect(broken.checks.find((check) => check.reference === 'GDPR Art. 5(2)')).toMatchObject({
      status: CheckStatus.ATTENTION,
      detail: 'MISSING: Event 4 is missing',
    });
    chain = null;
    const unanswered = await reports.report(admin, organizationId, ComplianceStandard.SOC2);
    expect(unanswered.checks.find((check) => check.reference === 'SOC 2 CC7.2')?.status).toBe(CheckStatus.NOT_MEASURED);
  });

  it('follows a rename, and gives the PDF behind a link only the organization’s own callers get', async () => {
    const { organizationId, admin } = await organization('Old Name Ltd');
    await fact(organizationsConsumer(), {
      type: 'identity.organization.renamed',
      payload: { organizationId, name: 'Tailspin Toys', userId: admin.principal.userId },
    });
    const link = await reports.pdfLink(admin, organizationId, ComplianceStandard.SOC2);
    const url = new URL(link.url);
    expect(url.origin + url.pathname).toBe('http://compliance.example.test/api/v1/compliance/reports/download');
    expect(reports.openLink(url.searchParams.get('token')!)).toEqual({
      organizationId,
      userId: admin.principal.userId,
      standard: ComplianceStandard.SOC2,
    });
    expect(() => reports.openLink(`${url.searchParams.get('token')!}x`)).toThrow(ForbiddenError);

    const { pdf } = await reports.pdf(organizationId, ComplianceStandard.SOC2);
    const text = pdf.toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    // pdfkit writes the Info dictionary's title as an object of its own.
    const titleRef = /\/Title (\d+) 0 R/.exec(text)![1];
    expect(text).toContain(`\n${titleRef} 0 obj\n(SOC 2 compliance report: Tailspin Toys)\nendobj`);

    const other = await organization('Elsewhere');
    await expect(reports.report(other.admin, organizationId, ComplianceStandard.GDPR)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    await expect(reports.pdfLink(other.admin, organizationId, ComplianceStandard.GDPR)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
  });
});
