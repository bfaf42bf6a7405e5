import type { DataSource } from 'typeorm';
import { newId } from '../../../platform/ids';
import { applyOnce } from '../../../platform/outbox/consumer';
import type { AnyEvent, EventPayload } from '../../../platform/outbox/event-catalogue';
import { callerWith, openComplianceSpec } from '../../../tests/kit/compliance-spec';
import type { ComplianceSpec } from '../../../tests/kit/compliance-spec';
import { roleAssignmentsConsumer } from '../consumers/role-assignments.consumer';
import { CheckStatus, ComplianceStandard } from './compliance-report.service';
import type { ComplianceServices } from '.';

let spec: ComplianceSpec | undefined;
let dataSource: DataSource;
let services: ComplianceServices;
let sequence = 0;

beforeAll(async () => {
  spec = await openComplianceSpec('access-review-test');
  ({ dataSource, services } = spec);
});
afterAll(async () => spec?.close());

/** One of identity's or authz's facts, as compliance's consumers apply it; answers its id. */
async function fact(event: Pick<AnyEvent, 'type' | 'payload'>, occurredAt = new Date()): Promise<string> {
  const envelope = { id: newId('event'), source: event.type.split('.')[0]!, sequence: ++sequence, occurredAt, ...event } as AnyEvent;
  if (event.type.startsWith('authz.')) await applyOnce(dataSource, roleAssignmentsConsumer(services), envelope);
  else await dataSource.transaction((manager) => services.memberships.apply(envelope as never, manager));
  return envelope.id;
}

const assigned = (payload: Partial<EventPayload<'authz.role.assigned'>> & { organizationId: string; userId: string; roleId: string }) =>
  fact({ type: 'authz.role.assigned', payload: { expiresAt: null, assignedById: null, reason: 'assigned', ...payload } });

/**
 * An organization as compliance learns it: an owner, an admin who is also a billing manager, a
 * member with a role that has expired, and a former admin who has left.
 */
async function organization() {
  const organizationId = newId('organization');
  const [owner, admin, member, leaver] = [newId('user'), newId('user'), newId('user'), newId('user')];
  await fact({
    type: 'identity.organization.created',
    payload: { organizationId, name: 'Org', creatorUserId: owner, creatorMembershipId: newId('member') },
  });
  for (const userId of [admin, member, leaver]) {
    await fact({ type: 'identity.member.added', payload: { organizationId, userId, membershipId: newId('member'), status: 'active' } });
  }
  await fact({ type: 'identity.member.removed', payload: { organizationId, userId: leaver, membershipId: newId('member') } });
  await assigned({ organizationId, userId: owner, roleId: 'role_owner', reason: 'organization_created' });
  await assigned({ organizationId, userId: admin, roleId: 'role_admin' });
  await assigned({ organizationId, userId: admin, roleId: 'role_billing_manager' });
  await assigned({ organizationId, userId: member, roleId: 'role_member', reason: 'member_added' });
  await assigned({ organizationId, userId: member, roleId: 'role_admin', expiresAt: new Date(Date.now() - 1000).toISOString() });
  await assigned({ organizationId, userId: leaver, roleId: 'role_admin' });
  return { organizationId, owner, admin, member, leaver, reviewer: callerWith(organizationId, owner) };
}

async function factsOf(reviewId: string): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  return dataSource.query(`SELECT type, payload FROM compliance.outbox WHERE payload->>'reviewId' = $1 ORDER BY sequence`, [reviewId]);
}

describe('access reviews', () => {
  it("refuses to revoke the review's last owner, and allows it once another owner is kept", async () => {
    const { organizationId, owner, admin, reviewer } = await organization();
    const review = await services.accessReviews.start(reviewer, organizationId);
    const entries = await services.accessReviews.entries(review);
    const ownerEntry = entries.find((e) => e.userId === owner && e.roleId === 'role_owner')!;
    await expect(services.accessReviews.decide(reviewer, ownerEntry.id, 'revoke_requested')).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', field: 'input.decision' },
    });
    expect((await services.accessReviews.entries(review)).find((e) => e.id === ownerEntry.id)!.decision).toBeNull();

    // With a second owner in the snapshot, one of the two may go.
    await assigned({ organizationId, userId: admin, roleId: 'role_owner', assignedById: owner });
    const second = await services.accessReviews.start(reviewer, organizationId);
    const secondEntries = await services.accessReviews.entries(second);
    const owners = secondEntries.filter((e) => e.roleId === 'role_owner');
    expect(owners).toHaveLength(2);
    await services.accessReviews.decide(reviewer, owners[0]!.id, 'revoke_requested');
    await expect(services.accessReviews.decide(reviewer, owners[1]!.id, 'revoke_requested')).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', field: 'input.decision' },
    });
  });

  it('snapshots every role members hold, completes only once every entry is decided, and asks authz to revoke', async () => {
    const { organizationId, owner, admin, member, reviewer } = await organization();
    const review = await services.accessReviews.start(reviewer, organizationId);
    expect(review).toMatchObject({ organizationId, status: 'in_progress', startedById: owner, entryCount: 4, decidedCount: 0 });
    const entries = await services.accessReviews.entries(review);
    // Not the expired admin role, nor the roles of someone who has left.
    expect(entries.map((entry) => [entry.userId, entry.roleId])).toEqual(
      [
        [owner, 'role_owner'],
        [admin, 'role_admin'],
        [admin, 'role_billing_manager'],
        [member, 'role_member'],
      ].sort((a, b) => (a[0]! + a[1]! < b[0]! + b[1]! ? -1 : 1)),
    );
    const entry = (userId: string, roleId: string) => entries.find((e) => e.userId === userId && e.roleId === roleId)!;

    await services.accessReviews.decide(reviewer, entry(owner, 'role_owner').id, 'kept');
    await services.accessReviews.decide(reviewer, entry(admin, 'role_billing_manager').id, 'kept', '  Pays the invoices  ');
    await services.accessReviews.decide(reviewer, entry(admin, 'role_admin').id, 'kept');
    await expect(services.accessReviews.complete(reviewer, review.id)).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', field: 'id' },
      message: "id: 1 of the review's 4 entries are not decided yet; decide every one first",
    });
    // Changing one's mind is allowed until the review is completed.
    const revoked = await services.accessReviews.decide(reviewer, entry(admin, 'role_admin').id, 'revoke_requested', 'Left the team');
    expect(revoked).toMatchObject({ decision: 'revoke_requested', note: 'Left the team', decidedById: owner });
    await services.accessReviews.decide(reviewer, entry(member, 'role_member').id, 'kept');
    expect((await services.accessReviews.get(reviewer, review.id)).decidedCount).toBe(4);

    const completed = await services.accessReviews.complete(reviewer, review.id);
    expect(completed).toMatchObject({ status: 'completed', completedById: owner, revokeRequestedCount: 1 });
    expect(completed.completedAt).toBeInstanceOf(Date);
    await expect(services.accessReviews.complete(reviewer, review.id)).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
    await expect(services.accessReviews.decide(reviewer, entry(owner, 'role_owner').id, 'revoke_requested')).rejects.toMatchObject({
      extensions: { code: 'CONFLICT', field: 'input.entryId' },
    });

    const facts = await factsOf(review.id);
    expect(facts.map((f) => f.type)).toEqual([
      'compliance.access_review.started',
      ...Array(5).fill('compliance.access_review.entry_decided'),
      'compliance.access_review.completed',
      'compliance.access_review.revoke_requested',
    ]);
    expect(facts[0]!.payload).toEqual({ organizationId, reviewId: review.id, startedById: owner, entries: 4 });
    expect(facts[6]!.payload).toEqual({ organizationId, reviewId: review.id, completedById: owner, kept: 3, revokeRequested: 1 });
    expect(facts[7]!.payload).toEqual({
      organizationId,
      reviewId: review.id,
      entryId: entry(admin, 'role_admin').id,
      userId: admin,
      roleId: 'role_admin',
      requestedById: owner,
    });

    // authz's answer marks the entry revoked.
    await fact({
      type: 'authz.role.unassigned',
      payload: {
        organizationId,
        userId: admin,
        roleId: 'role_admin',
        unassignedById: owner,
        reason: 'access_review',
        reviewId: review.id,
        entryId: entry(admin, 'role_admin').id,
      },
    });
    const after = await services.accessReviews.entries(review);
    expect(after.find((e) => e.id === entry(admin, 'role_admin').id)!.revokedAt).toBeInstanceOf(Date);
    expect(after.filter((e) => e.revokedAt !== null)).toHaveLength(1);
    expect((await services.accessReviews.list(reviewer, organizationId)).map((r) => r.id)).toEqual([review.id]);

    // The admin's data-subject export shows the entries about their roles; erasure takes the note and keeps the entries.
    const subject = { organizationId, userId: admin };
    const exported = (await services.dataSubject.export(subject, null, 50)).records.flatMap((r) =>
      r.kind === 'access_review_entry' && 'data' in r ? [r.data] : [],
    );
    expect(exported.map((data) => [data.roleId, data.decision, data.note])).toEqual([
      ['role_admin', 'revoke_requested', 'Left the team'],
      ['role_billing_manager', 'kept', 'Pays the invoices'],
    ]);
    expect((await services.dataSubject.erase(subject, ['activity'])).find((e) => e.kind === 'access_review_entry')).toMatchObject({
      anonymised: 2,
      kept: 2,
    });
    expect((await services.accessReviews.entries(review)).filter((e) => e.userId === admin).map((e) => e.note)).toEqual([null, null]);
  });

  it('never shows, starts or decides another organization’s reviews', async () => {
    const a = await organization();
    const b = await organization();
    const theirs = await services.accessReviews.start(b.reviewer, b.organizationId);
    const [entry] = await services.accessReviews.entries(theirs);
    await expect(services.accessReviews.start(a.reviewer, b.organizationId)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', field: 'organizationId' },
    });
    await expect(services.accessReviews.list(a.reviewer, b.organizationId)).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(services.accessReviews.get(a.reviewer, theirs.id)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    await expect(services.accessReviews.decide(a.reviewer, entry!.id, 'revoke_requested')).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND', field: 'input.entryId' },
    });
    await expect(services.accessReviews.complete(a.reviewer, theirs.id)).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect((await services.accessReviews.entries(theirs)).every((e) => e.decision === null)).toBe(true);
    expect(await services.accessReviews.list(a.reviewer, a.organizationId)).toEqual([]);
  });

  it('refuses bad input, naming the field', async () => {
    const { organizationId, reviewer } = await organization();
    const review = await services.accessReviews.start(reviewer, organizationId);
    const [entry] = await services.accessReviews.entries(review);
    await expect(services.accessReviews.decide(reviewer, entry!.id, 'kept', 'x'.repeat(1001))).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.note' },
    });
    await expect(services.accessReviews.decide(reviewer, 'entry-1', 'kept')).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.entryId' },
    });
    await expect(services.accessReviews.get(reviewer, 'review-1')).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'id' },
    });
  });

  it('gives the compliance report its figures: the last review, days since, privileged members, role changes since', async () => {
    const { organizationId, owner, admin, member, reviewer } = await organization();
    const before = await services.reports.report(reviewer, organizationId, ComplianceStandard.SOC2);
    expect(before.accessReviews).toMatchObject({
      lastCompleted: null,
      daysSinceLastReview: null,
      withinInterval: false,
      intervalDays: 90,
      // The owner and the admin; not the member's expired admin role, nor the leaver.
      privilegedMembers: 2,
      roleChangesSinceLastReview: null,
      inProgress: 0,
    });
    expect(before.checks.find((check) => check.reference === 'SOC 2 CC6.2, CC6.3')).toMatchObject({
      status: CheckStatus.ATTENTION,
      detail: 'No access review completed yet (one at least every 90 days expected); 2 members hold the owner or admin role.',
    });

    const review = await services.accessReviews.start(reviewer, organizationId);
    for (const entry of await services.accessReviews.entries(review)) await services.accessReviews.decide(reviewer, entry.id, 'kept');
    const completed = await services.accessReviews.complete(reviewer, review.id);
    // Since then: one role given, one taken; a revocation done for a review is not counted.
    await assigned({ organizationId, userId: member, roleId: 'role_billing_manager', assignedById: owner });
    await fact({
      type: 'authz.role.unassigned',
      payload: { organizationId, userId: admin, roleId: 'role_billing_manager', unassignedById: owner, reason: 'revoked' },
    });
    await fact({
      type: 'authz.role.unassigned',
      payload: { organizationId, userId: member, roleId: 'role_member', unassignedById: owner, reason: 'access_review' },
    });

    for (const standard of [ComplianceStandard.SOC2, ComplianceStandard.HIPAA, ComplianceStandard.GDPR]) {
      const report = await services.reports.report(reviewer, organizationId, standard);
      expect(report.accessReviews).toMatchObject({
        lastCompleted: { id: review.id, completedAt: completed.completedAt, completedById: owner },
        daysSinceLastReview: 0,
        withinInterval: true,
        privilegedMembers: 2,
        roleChangesSinceLastReview: 2,
      });
      const reference = { soc2: 'SOC 2 CC6.2, CC6.3', hipaa: '45 CFR 164.308(a)(4)', gdpr: 'GDPR Art. 32(1)(d)' }[standard];
      expect(report.checks.find((check) => check.reference === reference)).toMatchObject({
        status: CheckStatus.PASS,
        detail: `Last access review completed ${completed.completedAt!.toISOString().slice(0, 10)} by ${owner}, 0 days ago (at most 90 expected); 2 role changes since; 2 members hold the owner or admin role.`,
      });
    }

    // A review 100 days old no longer passes.
    await dataSource.query(`UPDATE compliance.access_reviews SET completed_at = now() - interval '100 days' WHERE id = $1`, [review.id]);
    await services.accessReviews.start(reviewer, organizationId);
    const stale = await services.reports.report(reviewer, organizationId, ComplianceStandard.SOC2);
    expect(stale.accessReviews).toMatchObject({ daysSinceLastReview: 100, withinInterval: false, inProgress: 1 });
    expect(stale.checks.find((check) => check.reference === 'SOC 2 CC6.2, CC6.3')!.status).toBe(CheckStatus.ATTENTION);
    const { pdf } = await services.reports.pdf(organizationId, ComplianceStandard.SOC2);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });
});
