import { inflateSync } from 'node:zlib';
import { expectError, expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import type { SeededMember, SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

let supergraph: TestSupergraph;
let a: SeededOrganization;
let b: SeededOrganization;
let admin: SeededMember;
let member: SeededMember;

const REPORT = `query($o: ID!, $s: ComplianceStandard!) {
  complianceReport(organizationId: $o, standard: $s) {
    organizationId organizationName standard generatedAt
    checks { reference title status detail }
    requests { open overdue }
    retention { category keepDays action lastAppliedAt }
    holds { active organizationWide peopleHeld }
    auditChain { valid checkedEvents problemKind }
    mfa { members adopted ratio explanation }
    sso { members adopted ratio }
    accessReviews { explanation reviewedWithinInterval }
  }
}`;
const PDF_LINK = `query($o: ID!, $s: ComplianceStandard!) { complianceReportPdf(organizationId: $o, standard: $s) { url expiresAt } }`;

interface Report {
  organizationId: string;
  organizationName: string | null;
  standard: string;
  checks: { reference: string; status: string; detail: string }[];
  requests: { open: number; overdue: number };
  retention: { category: string; keepDays: number | null; action: string | null }[];
  holds: { active: number; organizationWide: boolean; peopleHeld: number };
  auditChain: { valid: boolean; checkedEvents: number; problemKind: string | null } | null;
  mfa: { members: number; adopted: number | null; explanation: string | null };
  sso: { members: number; adopted: number | null; ratio: number | null };
  accessReviews: { explanation: string; reviewedWithinInterval: boolean };
}

const report = (token: string, o: string, s: string) =>
  supergraph.gateway<{ complianceReport: Report }, { o: string; s: string }>(REPORT, { o, s }, { token });

/** The link as compliance's own server answers it (its public address is the gateway's or Kong's in production). */
const onCompliance = (url: string) => new URL(`${new URL(url).pathname}${new URL(url).search}`, supergraph.subgraphUrls.compliance);

/**
 * Reads a PDF as a reader would: the header, the cross-reference table (every object where it
 * says), the trailer's Info dictionary, and the text drawn by every content stream.
 */
function readPdf(pdf: Buffer): { title: string; text: string; objects: number } {
  const raw = pdf.toString('latin1');
  expect(raw.startsWith('%PDF-')).toBe(true);
  expect(raw.trimEnd().endsWith('%%EOF')).toBe(true);
  const xrefAt = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(raw)![1]);
  const xref = /^xref\s+0 (\d+)\s+/.exec(raw.slice(xrefAt))!;
  const count = Number(xref[1]);
  const entries = raw
    .slice(xrefAt + xref[0].length)
    .split(/\r?\n/)
    .slice(0, count);
  entries.forEach((entry, index) => {
    const [offset, , kind] = entry.trim().split(/\s+/);
    if (kind === 'n') expect(raw.slice(Number(offset), Number(offset) + 20)).toMatch(new RegExp(`^${index} 0 obj`));
  });
  const object = (ref: string) => raw.slice(raw.indexOf(`\n${ref} 0 obj`), raw.indexOf('endobj', raw.indexOf(`\n${ref} 0 obj`)));
  const info = object(/\/Info (\d+) 0 R/.exec(raw.slice(xrefAt))![1]!);
  // The title is a string in the dictionary, or (as pdfkit writes it) an object of its own.
  const titleRef = /\/Title (\d+) 0 R/.exec(info)?.[1];
  const title = /\(((?:\\.|[^\\)])*)\)/.exec(titleRef ? object(titleRef) : info.slice(info.indexOf('/Title')))![1]!;
  let text = '';
  for (const match of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(match[1]!, 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    for (const line of content.matchAll(/\[(.*?)\] TJ/g)) {
      text += [...line[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map(([, hex]) => Buffer.from(hex!, 'hex').toString('latin1')).join('') + '\n';
    }
  }
  return { title, text, objects: count };
}

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  a = await supergraph.seed
    .org({ name: 'Northwind Clinics' })
    .withMember({ role: 'role_admin' })
    .withMember({ role: 'role_member' })
    .create();
  [admin, member] = a.members as [SeededMember, SeededMember];
  b = await supergraph.seed.org({ name: 'Contoso Other' }).create();
});
afterAll(async () => {
  await supergraph?.stop();
});

describe('compliance reports through the gateway', () => {
  it('answers the organization’s standing as JSON: requests, retention coverage, holds, the audit chain, sign-in, access reviews', async () => {
    const o = a.organization.id;
    expectNoErrors(
      await supergraph.gateway(
        `mutation($input: SetRetentionPolicyInput!) { setRetentionPolicy(input: $input) { category } }`,
        { input: { organizationId: o, category: 'RECORDINGS', keepDays: 365 } },
        { token: admin.token },
      ),
    );
    await eventually(async () => {
      const placed = await supergraph.gateway(
        `mutation($input: PlaceLegalHoldInput!) { placeLegalHold(input: $input) { id } }`,
        { input: { organizationId: o, userId: member.user.id, reason: 'Records request from counsel' } },
        { token: admin.token },
      );
      return placed.errors?.[0]?.extensions?.code === 'NOT_FOUND' ? undefined : expectNoErrors(placed);
    }, 'compliance to know the member');

    // The name and the memberships come from identity's facts, the chain's events from every subgraph's.
    const gdpr = await eventually(async () => {
      const answer = expectNoErrors(await report(admin.token, o, 'GDPR')).complianceReport;
      return answer.organizationName && answer.sso.members === 3 && (answer.auditChain?.checkedEvents ?? 0) > 0 ? answer : undefined;
    }, 'the report to see the organization');
    expect(gdpr).toMatchObject({
      organizationId: o,
      organizationName: 'Northwind Clinics',
      standard: 'GDPR',
      requests: { open: 0, overdue: 0 },
      holds: { active: 1, organizationWide: false, peopleHeld: 1 },
      auditChain: { valid: true, problemKind: null },
      mfa: { members: 3, adopted: 0, ratio: 0 },
      sso: { members: 3, adopted: 0, ratio: 0 },
      accessReviews: { reviewedWithinInterval: false },
    });
    expect(gdpr.retention.map((row) => [row.category, row.keepDays, row.action])).toEqual([
      ['AUDIT_EVENTS', null, null],
      ['CALL_RECORDS', null, null],
      ['RECORDINGS', 365, 'DELETE'],
      ['USAGE', null, null],
      ['SESSIONS', null, null],
    ]);
    expect(Object.fromEntries(gdpr.checks.map((check) => [check.reference, check.status]))).toEqual({
      'GDPR Art. 12(3)': 'PASS',
      'GDPR Art. 5(1)(e)': 'ATTENTION',
      'GDPR Art. 5(2)': 'PASS',
      'GDPR Art. 32': 'ATTENTION',
      'GDPR Art. 32(1)(d)': 'ATTENTION',
    });
    expect(gdpr.checks.find((check) => check.reference === 'GDPR Art. 5(1)(e)')!.detail).toContain('sessions');

    const soc2 = expectNoErrors(await report(a.owner.token, o, 'SOC2')).complianceReport;
    expect(soc2.checks.map((check) => check.reference)).toEqual([
      'SOC 2 CC6.1',
      'SOC 2 CC6.2, CC6.3',
      'SOC 2 CC7.2',
      'SOC 2 C1.2',
      'SOC 2 P5.1',
    ]);
    expect(soc2.accessReviews.explanation).toContain('access reviews');
  });

  it('serves the same report as a PDF through a signed, expiring link that names the organization', async () => {
    const o = a.organization.id;
    const link = expectNoErrors(
      await supergraph.gateway<{ complianceReportPdf: { url: string; expiresAt: string } }, { o: string; s: string }>(
        PDF_LINK,
        { o, s: 'HIPAA' },
        { token: admin.token },
      ),
    ).complianceReportPdf;
    expect(new URL(link.url).pathname).toBe('/api/v1/compliance/reports/download');
    expect(new Date(link.expiresAt).getTime()).toBeGreaterThan(Date.now());

    const response = await fetch(onCompliance(link.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = readPdf(Buffer.from(await response.arrayBuffer()));
    expect(pdf.title).toBe('HIPAA compliance report: Northwind Clinics');
    expect(pdf.text).toContain('Northwind Clinics');
    expect(pdf.text).toContain('45 CFR 164.312(b)');
    // The same access-review figures as the JSON: none completed yet; the owner and the admin are privileged.
    expect(pdf.text).toContain('No access review completed yet (one at least every 90 days expected).');
    expect(pdf.text).toContain('Members holding the owner or admin role: 2.');

    const token = new URL(link.url).searchParams.get('token')!;
    const tampered = onCompliance(link.url);
    tampered.searchParams.set('token', `${token.slice(0, -2)}xx`);
    expect((await fetch(tampered)).status).toBe(403);
  });

  it('is for owners and admins of the organization only', async () => {
    const o = a.organization.id;
    expect(expectError(await report(member.token, o, 'GDPR'), 'FORBIDDEN').extensions?.requiredPermission).toBe('compliance:read');
    expectError(await report(b.owner.token, o, 'GDPR'), 'FORBIDDEN');
    expectError(await supergraph.gateway(PDF_LINK, { o, s: 'GDPR' }, { token: b.owner.token }), 'FORBIDDEN');
    expectError(await supergraph.gateway(PDF_LINK, { o, s: 'GDPR' }, { token: member.token }), 'FORBIDDEN');
  });
});
