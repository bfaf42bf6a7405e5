import PDFDocument from 'pdfkit';
import type { ComplianceReport } from './compliance-report.service';

const STANDARD_NAMES: Record<ComplianceReport['standard'], string> = { gdpr: 'GDPR', hipaa: 'HIPAA', soc2: 'SOC 2' };
const STATUS_NAMES = { pass: 'Pass', attention: 'Needs attention', not_measured: 'Not measured' } as const;

/** The report as an A4 PDF: the organization and standard, the checks, then each section's figures. */
export async function renderComplianceReportPdf(report: ComplianceReport): Promise<Buffer> {
  const organization = report.organizationName ?? report.organizationId;
  const standard = STANDARD_NAMES[report.standard];
  const document = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `${standard} compliance report: ${organization}`, Subject: report.organizationId },
  });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => document.on('end', () => resolve(Buffer.concat(chunks))));
  const at = (date: Date | null) => (date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '–');
  const heading = (text: string) => document.moveDown(0.8).font('Helvetica-Bold').fontSize(12).fillColor('#000').text(text);
  const body = (text: string) => document.font('Helvetica').fontSize(9).fillColor('#222').text(text);

  document.font('Helvetica-Bold').fontSize(18).text(`${standard} compliance report`);
  document.font('Helvetica').fontSize(12).text(organization);
  document
    .fontSize(9)
    .fillColor('#444')
    .text(`Organization ${report.organizationId} · generated ${at(report.generatedAt)}`);

  heading('Checks');
  for (const check of report.checks) {
    document
      .font('Helvetica-Bold')
      .fontSize(9)
      .fillColor('#000')
      .text(`${check.reference} · ${check.title}: ${STATUS_NAMES[check.status]}`);
    body(check.detail);
  }

  heading('Data-subject requests');
  body(`${report.requests.open} open, ${report.requests.overdue} overdue.`);

  heading('Retention');
  for (const row of report.retention) {
    body(
      row.keepDays === null
        ? `${row.label}: no policy (kept until one is set)`
        : `${row.label}: kept ${row.keepDays} days, then ${row.action === 'archive' ? 'archived' : 'deleted'}; last applied ${at(row.lastAppliedAt)}` +
            (row.lastAffected === null ? '' : ` (${row.lastAffected} records)`),
    );
  }

  heading('Legal holds');
  body(
    `${report.holds.active} active` +
      (report.holds.organizationWide ? ', one on the whole organization' : '') +
      `; ${report.holds.peopleHeld} people held.`,
  );

  heading('Audit chain');
  body(
    !report.auditChain
      ? 'Not verified: the audit subgraph did not answer.'
      : report.auditChain.valid
        ? `Verifies over ${report.auditChain.checkedEvents} events.`
        : `Does not verify: ${report.auditChain.problem?.kind ?? ''} ${report.auditChain.problem?.message ?? ''}`,
  );

  heading('Sign-in');
  body(`Single sign-on: ${report.sso.adopted ?? 0} of ${report.sso.members} active members.`);
  body(`Second factor (TOTP): ${report.mfa.adopted ?? 0} of ${report.mfa.members} active members.`);

  heading('Access reviews');
  const reviews = report.accessReviews;
  body(
    reviews.lastCompleted
      ? `Last completed ${at(reviews.lastCompleted.completedAt)} by ${reviews.lastCompleted.completedById}, ${reviews.daysSinceLastReview} days ago ` +
          `(${reviews.withinInterval ? 'within' : 'not within'} the last ${reviews.intervalDays} days).`
      : `No access review completed yet (one at least every ${reviews.intervalDays} days expected).`,
  );
  body(`Members holding the owner or admin role: ${reviews.privilegedMembers}.`);
  if (reviews.roleChangesSinceLastReview !== null) body(`Role changes since the last review: ${reviews.roleChangesSinceLastReview}.`);
  if (reviews.inProgress > 0) body(`Reviews in progress: ${reviews.inProgress}.`);
  body(reviews.note);

  document.end();
  return done;
}
