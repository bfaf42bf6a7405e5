import type { DataSource } from 'typeorm';
import { newId } from '../../../platform/ids';
import type { DataSubject, DataSubjectErasure, DataSubjectRecord } from '../../../platform/personal-data/data-subject';
import type { PersonalDataCategory } from '../../../platform/personal-data/personal-data-directive';
import { callerWith, openComplianceSpec } from '../../../tests/kit/compliance-spec';
import type { ComplianceSpec } from '../../../tests/kit/compliance-spec';
import { DataSubjectRequestStatus, DataSubjectRequestType, ExportFormat, Regulation } from '../entities/data-subject-request.entity';
import { DataSubjectCallError } from './data-subject-gateway';
import type { DataSubjectParts, DataSubjectSubgraph } from './data-subject-gateway';
import { addCalendarMonths, dueDateOf, extendedDueDateOf, isOverdue } from './request-rules';
import type { ComplianceServices } from '.';

/**
 * The subgraphs' parts as the gateway would answer them: what each holds of a person, and
 * what each erasure was asked. (The contract's own implementations are exercised through the
 * gateway in tests/e2e/data-subject-requests.test.ts.)
 */
class RecordedParts implements DataSubjectParts {
  readonly held = new Map<string, DataSubjectRecord[]>();
  readonly erasures: { subgraph: DataSubjectSubgraph; subject: DataSubject; categories: readonly PersonalDataCategory[] }[] = [];
  /** People identity refuses to erase, as it does the organization's last active member. */
  readonly refused = new Set<string>();

  give(subgraph: DataSubjectSubgraph, userId: string, records: DataSubjectRecord[]): void {
    this.held.set(`${subgraph}:${userId}`, records);
  }

  async *export(subgraph: DataSubjectSubgraph, subject: DataSubject): AsyncIterable<DataSubjectRecord[]> {
    const records = this.held.get(`${subgraph}:${subject.userId}`) ?? [];
    for (let start = 0; start === 0 || start < records.length; start += 2) yield records.slice(start, start + 2);
  }

  async erase(
    subgraph: DataSubjectSubgraph,
    subject: DataSubject,
    categories: readonly PersonalDataCategory[],
  ): Promise<DataSubjectErasure[]> {
    if (subgraph === 'identity' && this.refused.has(subject.userId)) {
      throw new DataSubjectCallError('userId: the last active member of an organization cannot be erased from it', 'CONFLICT');
    }
    this.erasures.push({ subgraph, subject, categories });
    this.held.delete(`${subgraph}:${subject.userId}`);
    return [{ kind: subgraph, erased: 1, anonymised: 0, kept: 0 }];
  }
}

let spec: ComplianceSpec | undefined;
let dataSource: DataSource;
let services: ComplianceServices;
const parts = new RecordedParts();
let sequence = 0;

beforeAll(async () => {
  spec = await openComplianceSpec('data-subject-request-test', { parts });
  ({ dataSource, services } = spec);
});
afterAll(async () => spec?.close());

async function organization() {
  const organizationId = newId('organization');
  const [owner, member, other] = [newId('user'), newId('user'), newId('user')];
  const apply = (event: object) =>
    dataSource.transaction((manager) =>
      services.memberships.apply(
        { id: newId('event'), source: 'identity', sequence: ++sequence, occurredAt: new Date(), ...event } as never,
        manager,
      ),
    );
  await apply({
    type: 'identity.organization.created',
    payload: { organizationId, name: 'Org', creatorUserId: owner, creatorMembershipId: newId('member') },
  });
  await apply({
    type: 'identity.member.added',
    payload: { organizationId, userId: member, membershipId: newId('member'), status: 'active' },
  });
  return {
    organizationId,
    owner,
    member,
    other,
    admin: callerWith(organizationId, owner, ['compliance:read', 'compliance:manage', 'compliance:approve']),
    self: callerWith(organizationId, member),
  };
}

async function factsOf(requestId: string): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT payload FROM compliance.outbox WHERE type = 'compliance.request.updated' AND payload->>'requestId' = $1 ORDER BY sequence`,
    [requestId],
  )) as { payload: { status: string; held: boolean } }[];
  return rows.map(({ payload }) => (payload.held ? `${payload.status}+held` : payload.status));
}

async function download(requestId: string, url: string | null): Promise<Buffer | null> {
  expect(url).toContain(`/api/v1/compliance/requests/download?token=`);
  const grant = services.requests.openDownload(decodeURIComponent(new URL(url!, 'http://x').searchParams.get('token')!));
  expect(grant.requestId).toBe(requestId);
  const chunks: Buffer[] = [];
  const done = await services.requests.download(grant, async (chunk) => {
    chunks.push(chunk);
  });
  return done ? Buffer.concat(chunks) : null;
}

describe('due dates', () => {
  it('GDPR: one calendar month from receipt (the month’s last day when it is shorter), extendable by two; HIPAA: 30 days, amendments 60', () => {
    expect(addCalendarMonths(new Date('2026-01-31T10:00:00Z'), 1).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(addCalendarMonths(new Date('2028-01-31T10:00:00Z'), 1).toISOString()).toBe('2028-02-29T10:00:00.000Z');
    expect(dueDateOf(Regulation.GDPR, DataSubjectRequestType.EXPORT, new Date('2026-03-15T08:00:00Z')).toISOString()).toBe(
      '2026-04-15T08:00:00.000Z',
    );
    expect(extendedDueDateOf(Regulation.GDPR, new Date('2026-04-15T08:00:00Z')).toISOString()).toBe('2026-06-15T08:00:00.000Z');
    expect(dueDateOf(Regulation.HIPAA, DataSubjectRequestType.EXPORT, new Date('2026-03-15T08:00:00Z')).toISOString()).toBe(
      '2026-04-14T08:00:00.000Z',
    );
    expect(dueDateOf(Regulation.HIPAA, DataSubjectRequestType.RECTIFICATION, new Date('2026-03-15T08:00:00Z')).toISOString()).toBe(
      '2026-05-14T08:00:00.000Z',
    );
    expect(extendedDueDateOf(Regulation.HIPAA, new Date('2026-04-14T08:00:00Z')).toISOString()).toBe('2026-05-14T08:00:00.000Z');
    const dueAt = new Date('2026-04-15T08:00:00Z');
    expect(isOverdue({ status: DataSubjectRequestStatus.IN_PROGRESS, dueAt }, new Date('2026-04-16T00:00:00Z'))).toBe(true);
    expect(isOverdue({ status: DataSubjectRequestStatus.COMPLETED, dueAt }, new Date('2026-04-16T00:00:00Z'))).toBe(false);
    expect(isOverdue({ status: DataSubjectRequestStatus.RECEIVED, dueAt }, new Date('2026-04-14T00:00:00Z'))).toBe(false);
  });

  it('an open request is extended once, with a reason, by an owner or admin', async () => {
    const { organizationId, admin, self } = await organization();
    const request = await services.requests.requestExport(self, { organizationId, regulation: Regulation.HIPAA });
    expect(request.dueAt.getTime() - request.receivedAt.getTime()).toBe(30 * 86_400_000);
    expect(request.overdue).toBe(false);
    await expect(services.requests.extend(admin, request.id, '  ')).rejects.toMatchObject({ extensions: { field: 'reason' } });
    const extended = await services.requests.extend(admin, request.id, 'The records are on paper');
    expect(extended.dueAt.getTime() - request.receivedAt.getTime()).toBe(60 * 86_400_000);
    expect(extended.extensionReason).toBe('The records are on paper');
    await expect(services.requests.extend(admin, request.id, 'Again')).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
  });
});

describe('exports', () => {
  it('every subgraph’s part lands in one file, downloadable once, by the person who asked', async () => {
    const { organizationId, member, self, admin } = await organization();
    parts.give('identity', member, [{ kind: 'user', id: member, data: { email: 'ann@example.test', name: 'Ann' } }]);
    parts.give(
      'audit',
      member,
      [1, 2, 3].map((n) => ({ kind: 'audit_event', id: `aud_${n}`, data: { action: `a.${n}` } })),
    );
    parts.give('compliance', member, [{ kind: 'consent', id: 'cns_1', data: { purpose: 'marketing' } }]);
    const request = await services.requests.requestExport(self, { organizationId, format: ExportFormat.JSON });
    expect(request).toMatchObject({ status: DataSubjectRequestStatus.RECEIVED, userId: member, requestedById: member, downloadUrl: null });

    const outcome = await services.requests.processPending({ organizationId });
    expect(outcome).toEqual({ completed: 1, held: 0, rejected: 0, failed: 0 });
    const done = await services.requests.get(self, request.id);
    expect(done).toMatchObject({ status: DataSubjectRequestStatus.COMPLETED, progressDone: 4, progressTotal: 4 });
    expect(done.result).toEqual({ records: { identity: 1, audit: 3, analytics: 0, compliance: 1 } });
    // The admin sees the request, but the link is the person’s.
    expect((await services.requests.get(admin, request.id)).downloadUrl).toBeNull();

    const file = await download(request.id, done.downloadUrl);
    const parsed = JSON.parse(file!.toString('utf8')) as { request: { userId: string }; parts: Record<string, { id: string }[]> };
    expect(parsed.request.userId).toBe(member);
    expect(Object.fromEntries(Object.entries(parsed.parts).map(([name, records]) => [name, records.map((r) => r.id)]))).toEqual({
      identity: [member],
      audit: ['aud_1', 'aud_2', 'aud_3'],
      analytics: [],
      compliance: ['cns_1'],
    });
    expect(await download(request.id, done.downloadUrl)).toBeNull();
    expect(await dataSource.query('SELECT 1 FROM compliance.export_chunks WHERE request_id = $1', [request.id])).toEqual([]);
    expect(await factsOf(request.id)).toEqual(['received', 'in_progress', 'completed']);
  });

  it('CSV has a row a record; PDF is a PDF', async () => {
    const { organizationId, member, self } = await organization();
    parts.give('analytics', member, [{ kind: 'call_record', id: 'call-1', data: { participants: [member], codec: 'opus' } }]);
    const csv = await services.requests.requestExport(self, { organizationId, format: ExportFormat.CSV });
    const pdf = await services.requests.requestExport(self, { organizationId, format: ExportFormat.PDF });
    await services.requests.processPending({ organizationId });
    const csvFile = (await download(csv.id, (await services.requests.get(self, csv.id)).downloadUrl))!.toString('utf8');
    expect(csvFile.split('\n')[0]).toBe('subgraph,kind,id,data');
    expect(csvFile).toContain('analytics,call_record,call-1,');
    const pdfFile = await download(pdf.id, (await services.requests.get(self, pdf.id)).downloadUrl);
    expect(pdfFile!.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });
});

describe('deletions', () => {
  it('wait for an approval, then for the last legal hold on the person to be released', async () => {
    const { organizationId, member, self, admin } = await organization();
    const request = await services.requests.requestDeletion(self, { organizationId, categories: ['network', 'contact', 'network'] });
    expect(request).toMatchObject({ status: DataSubjectRequestStatus.AWAITING_APPROVAL, categories: ['contact', 'network'] });
    // Nobody decides a request about themselves, whatever they hold.
    await expect(services.requests.approve(callerWith(organizationId, member, ['compliance:approve']), request.id)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', field: 'id' },
    });
    const holdOnPerson = await services.legalHolds.place(admin, { organizationId, userId: member, reason: 'Litigation' });
    const holdOnOrganization = await services.legalHolds.place(admin, { organizationId, reason: 'Audit' });
    const approved = await services.requests.approve(admin, request.id, 'Checked the identity');
    expect(approved).toMatchObject({ status: DataSubjectRequestStatus.IN_PROGRESS, decidedById: admin.principal.userId });

    expect(await services.requests.processPending({ organizationId })).toEqual({ completed: 0, held: 1, rejected: 0, failed: 0 });
    expect(await services.requests.get(self, request.id)).toMatchObject({ status: DataSubjectRequestStatus.IN_PROGRESS, held: true });
    expect(parts.erasures.filter((erasure) => erasure.subject.userId === member)).toEqual([]);
    // A held deletion is not picked up again until a release says so.
    expect(await services.requests.processPending({ organizationId })).toEqual({ completed: 0, held: 0, rejected: 0, failed: 0 });

    const release = async (holdId: string) => {
      const hold = await services.legalHolds.release(admin, holdId, 'Settled');
      return dataSource.transaction((manager) => services.requests.holdReleased(manager, organizationId, hold.userId));
    };
    // One hold is left: still held.
    expect(await release(holdOnPerson.id)).toEqual([]);
    expect(await services.requests.get(self, request.id)).toMatchObject({ held: true });
    expect(await release(holdOnOrganization.id)).toEqual([request.id]);

    expect(await services.requests.processPending({ organizationId })).toEqual({ completed: 1, held: 0, rejected: 0, failed: 0 });
    const done = await services.requests.get(self, request.id);
    expect(done).toMatchObject({ status: DataSubjectRequestStatus.COMPLETED, held: false });
    const erasures = parts.erasures.filter((erasure) => erasure.subject.userId === member);
    expect(erasures.map((erasure) => erasure.subgraph)).toEqual(['identity', 'audit', 'analytics', 'compliance']);
    expect(erasures.every((erasure) => erasure.categories.join() === 'contact,network')).toBe(true);
    expect(await factsOf(request.id)).toEqual([
      'received',
      'awaiting_approval',
      'in_progress',
      'in_progress+held',
      'in_progress',
      'completed',
    ]);
  });

  it('everything when no category is chosen; a rejection says why, once', async () => {
    const { organizationId, member, self, admin } = await organization();
    const all = await services.requests.requestDeletion(self, { organizationId });
    expect(all.categories).toBeNull();
    await services.requests.approve(admin, all.id);
    const rejected = await services.requests.requestDeletion(self, { organizationId });
    await expect(services.requests.reject(admin, rejected.id, '')).rejects.toMatchObject({ extensions: { field: 'reason' } });
    expect(await services.requests.reject(admin, rejected.id, 'A deletion is already under way')).toMatchObject({
      status: DataSubjectRequestStatus.REJECTED,
      decisionNote: 'A deletion is already under way',
    });
    await expect(services.requests.reject(admin, rejected.id, 'Again')).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    await expect(services.requests.requestDeletion(self, { organizationId, categories: ['everything'] })).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.categories.0' },
    });
    await services.requests.processPending({ organizationId });
    expect(parts.erasures.filter((erasure) => erasure.subject.userId === member).at(-1)?.categories).toEqual([
      'identity',
      'contact',
      'network',
      'communications',
      'activity',
      'consent',
    ]);
  });
});

describe('a part that refuses', () => {
  it('rejects the deletion with the part’s reason, and nothing is erased', async () => {
    const { organizationId, owner, admin } = await organization();
    parts.refused.add(owner);
    const request = await services.requests.requestDeletion(admin, { organizationId });
    await services.requests.approve(callerWith(organizationId, newId('user'), ['compliance:approve']), request.id);
    expect(await services.requests.processPending({ organizationId })).toEqual({ completed: 0, held: 0, rejected: 1, failed: 0 });
    expect(await services.requests.get(admin, request.id)).toMatchObject({
      status: DataSubjectRequestStatus.REJECTED,
      decisionNote: expect.stringContaining('last active member'),
    });
    expect(parts.erasures.filter((erasure) => erasure.subject.userId === owner)).toEqual([]);
  });
});

describe('who may', () => {
  it('a member asks about and reads only their own; an owner or admin asks for a member and reads everyone’s', async () => {
    const { organizationId, owner, member, other, self, admin } = await organization();
    await expect(services.requests.requestExport(self, { organizationId, userId: owner })).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', requiredPermission: 'compliance:manage' },
    });
    const forMember = await services.requests.requestRectification(admin, { organizationId, userId: member, details: 'Name is Anne' });
    expect(forMember).toMatchObject({ userId: member, requestedById: owner, status: DataSubjectRequestStatus.AWAITING_APPROVAL });
    // Someone compliance never saw join the organization.
    await expect(services.requests.requestExport(admin, { organizationId, userId: other })).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND', field: 'input.userId' },
    });
    const own = await services.requests.requestExport(self, { organizationId });
    expect((await services.requests.list(self, organizationId, { userId: member })).map((r) => r.id).sort()).toEqual(
      [forMember.id, own.id].sort(),
    );
    await expect(services.requests.list(self, organizationId)).rejects.toMatchObject({
      extensions: { requiredPermission: 'compliance:read' },
    });
    const ownerOwn = await services.requests.requestExport(admin, { organizationId });
    await expect(services.requests.get(self, ownerOwn.id)).rejects.toMatchObject({ extensions: { requiredPermission: 'compliance:read' } });
    expect((await services.requests.list(admin, organizationId)).length).toBeGreaterThanOrEqual(3);
    await expect(services.requests.requestRectification(self, { organizationId, details: '' })).rejects.toMatchObject({
      extensions: { field: 'input.details' },
    });
  });

  it('never reads, starts or decides another organization’s requests', async () => {
    const a = await organization();
    const b = await organization();
    const theirs = await services.requests.requestDeletion(b.self, { organizationId: b.organizationId });
    await expect(services.requests.requestExport(a.admin, { organizationId: b.organizationId, userId: b.member })).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', field: 'input.organizationId' },
    });
    await expect(services.requests.requestDeletion(a.admin, { organizationId: a.organizationId, userId: b.member })).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
    await expect(services.requests.list(a.admin, b.organizationId)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(services.requests.get(a.admin, theirs.id)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await expect(services.requests.approve(a.admin, theirs.id)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(await services.requests.list(a.admin, a.organizationId, { userId: b.member })).toEqual([]);
  });
});
