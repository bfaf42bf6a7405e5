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

const START = 'mutation($o: ID!) { startAccessReview(organizationId: $o) { id status entryCount startedById } }';
const REVIEW = `query($id: ID!) {
  accessReview(id: $id) {
    id status completedById completedAt entryCount decidedCount revokeRequestedCount
    entries { id userId roleId decision note revokedAt }
  }
}`;
const DECIDE = `mutation($input: DecideAccessReviewEntryInput!) { decideAccessReviewEntry(input: $input) { id decision note decidedById } }`;
const COMPLETE = 'mutation($id: ID!) { completeAccessReview(id: $id) { id status completedById revokeRequestedCount } }';
const FIGURES = `query($o: ID!) {
  complianceReport(organizationId: $o, standard: SOC2) {
    checks { reference status detail }
    accessReviews { lastReviewId lastReviewerId lastCompletedAt daysSinceLastReview reviewedWithinInterval privilegedMembers roleChangesSinceLastReview inProgress }
  }
}`;

interface Entry {
  id: string;
  userId: string;
  roleId: string;
  decision: string | null;
  note: string | null;
  revokedAt: string | null;
}
interface Review {
  id: string;
  status: string;
  completedById: string | null;
  entryCount: number;
  decidedCount: number;
  revokeRequestedCount: number;
  entries: Entry[];
}
interface Figures {
  checks: { reference: string; status: string; detail: string }[];
  accessReviews: {
    lastReviewId: string | null;
    lastReviewerId: string | null;
    daysSinceLastReview: number | null;
    reviewedWithinInterval: boolean;
    privilegedMembers: number;
    roleChangesSinceLastReview: number | null;
    inProgress: number;
  };
}

const figures = async (token: string, o: string) =>
  expectNoErrors(await supergraph.gateway<{ complianceReport: Figures }, { o: string }>(FIGURES, { o }, { token })).complianceReport;
const review = async (token: string, id: string) =>
  expectNoErrors(await supergraph.gateway<{ accessReview: Review }, { id: string }>(REVIEW, { id }, { token })).accessReview;
const rolesOf = async (token: string, organizationId: string, userId: string) => {
  const { organization } = expectNoErrors(
    await supergraph.gateway<{ organization: { members: { user: { id: string; roles: { role: { id: string } }[] } }[] } }, { id: string }>(
      'query($id: ID!) { organization(id: $id) { members { user { id roles { role { id } } } } } }',
      { id: organizationId },
      { token },
    ),
  );
  return organization.members.find((m) => m.user.id === userId)!.user.roles.map((r) => r.role.id);
};

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  a = await supergraph.seed.org({ name: 'Reviewed Ltd' }).withMember({ role: 'role_admin' }).withMember().create();
  [admin, member] = a.members as [SeededMember, SeededMember];
  b = await supergraph.seed.org({ name: 'Elsewhere Ltd' }).withMember().create();
});
afterAll(async () => {
  await supergraph?.stop();
});

describe('access reviews through the gateway', () => {
  it('a review of every member’s roles, completed by an admin: the revoked role is gone in authz, and the report and audit log say so', async () => {
    const o = a.organization.id;
    // Compliance learns the roles from authz's facts.
    await eventually(
      async () => ((await figures(admin.token, o)).accessReviews.privilegedMembers === 2 ? true : undefined),
      'compliance to know the roles',
    );
    const before = await figures(admin.token, o);
    expect(before.accessReviews).toMatchObject({ lastReviewId: null, reviewedWithinInterval: false, inProgress: 0 });
    expect(before.checks.find((check) => check.reference === 'SOC 2 CC6.2, CC6.3')!.status).toBe('ATTENTION');

    const started = expectNoErrors(
      await supergraph.gateway<{ startAccessReview: { id: string; status: string; entryCount: number } }, { o: string }>(
        START,
        { o },
        { token: admin.token },
      ),
    ).startAccessReview;
    expect(started).toMatchObject({ status: 'IN_PROGRESS', entryCount: 3 });
    const open = await review(admin.token, started.id);
    const entryOf = (userId: string) => open.entries.find((entry) => entry.userId === userId)!;
    expect(open.entries.map((entry) => [entry.userId, entry.roleId]).sort()).toEqual(
      [
        [a.owner.user.id, 'role_owner'],
        [admin.user.id, 'role_admin'],
        [member.user.id, 'role_member'],
      ].sort(),
    );

    const decide = (entryId: string, decision: string, note?: string) =>
      supergraph.gateway(DECIDE, { input: { entryId, decision, note } }, { token: admin.token });
    expectNoErrors(await decide(entryOf(a.owner.user.id).id, 'KEPT'));
    expectNoErrors(await decide(entryOf(admin.user.id).id, 'KEPT'));
    expectError(await supergraph.gateway(COMPLETE, { id: started.id }, { token: admin.token }), 'CONFLICT');
    expect(expectNoErrors(await decide(entryOf(member.user.id).id, 'REVOKE_REQUESTED', 'No longer on the project'))).toMatchObject({
      decideAccessReviewEntry: { decision: 'REVOKE_REQUESTED', note: 'No longer on the project', decidedById: admin.user.id },
    });
    const completed = expectNoErrors(
      await supergraph.gateway<
        { completeAccessReview: { status: string; completedById: string; revokeRequestedCount: number } },
        { id: string }
      >(COMPLETE, { id: started.id }, { token: admin.token }),
    ).completeAccessReview;
    expect(completed).toMatchObject({ status: 'COMPLETED', completedById: admin.user.id, revokeRequestedCount: 1 });

    // Authz takes the role through compliance's fact, and compliance hears it was done.
    await eventually(
      async () => ((await rolesOf(a.owner.token, o, member.user.id)).length === 0 ? true : undefined),
      'authz to take the role',
    );
    const done = await eventually(async () => {
      const answer = await review(admin.token, started.id);
      return answer.entries.find((entry) => entry.userId === member.user.id)!.revokedAt ? answer : undefined;
    }, 'compliance to hear the role went');
    expect(done).toMatchObject({ status: 'COMPLETED', decidedCount: 3, revokeRequestedCount: 1 });
    expect(await rolesOf(a.owner.token, o, admin.user.id)).toEqual(['role_admin']);

    const after = await figures(a.owner.token, o);
    expect(after.accessReviews).toMatchObject({
      lastReviewId: started.id,
      lastReviewerId: admin.user.id,
      daysSinceLastReview: 0,
      reviewedWithinInterval: true,
      privilegedMembers: 2,
      roleChangesSinceLastReview: 0,
      inProgress: 0,
    });
    expect(after.checks.find((check) => check.reference === 'SOC 2 CC6.2, CC6.3')!.status).toBe('PASS');

    const actions = await eventually(async () => {
      const { auditLogs } = expectNoErrors(
        await supergraph.gateway<
          { auditLogs: { nodes: { action: string; actor: { id: string }; changes: Record<string, unknown> | null }[] } },
          { o: string }
        >(
          'query($o: ID!) { auditLogs(organizationId: $o, first: 100) { nodes { action actor { id } changes } } }',
          { o },
          { token: a.owner.token },
        ),
      );
      return auditLogs.nodes.some((node) => node.action === 'authz.role.unassign.access_review') ? auditLogs.nodes : undefined;
    }, 'the audit log to record the revocation');
    expect(actions.map((node) => node.action)).toEqual(
      expect.arrayContaining([
        'compliance.access_review.start',
        'compliance.access_review.keep',
        'compliance.access_review.request_revoke',
        'compliance.access_review.complete',
        'compliance.access_review.revoke',
        'authz.role.assign',
      ]),
    );
    expect(actions.find((node) => node.action === 'authz.role.unassign.access_review')).toMatchObject({
      actor: { id: admin.user.id },
      changes: { role: { old: 'role_member', new: null } },
    });
  });

  it('refuses a member without compliance:manage, and never reaches another organization’s reviews', async () => {
    const o = a.organization.id;
    expect(expectError(await supergraph.gateway(START, { o }, { token: member.token }), 'FORBIDDEN').extensions?.requiredPermission).toBe(
      'compliance:manage',
    );
    expectError(await supergraph.gateway(START, { o }, { token: b.owner.token }), 'FORBIDDEN');
    const [mine] = expectNoErrors(
      await supergraph.gateway<{ accessReviews: { id: string }[] }, { o: string }>(
        'query($o: ID!) { accessReviews(organizationId: $o) { id } }',
        { o },
        { token: admin.token },
      ),
    ).accessReviews;
    expectError(await supergraph.gateway(REVIEW, { id: mine!.id }, { token: b.owner.token }), 'NOT_FOUND');
    expectError(
      await supergraph.gateway('query($o: ID!) { accessReviews(organizationId: $o) { id } }', { o }, { token: b.owner.token }),
      'FORBIDDEN',
    );
    expectError(await supergraph.gateway(COMPLETE, { id: mine!.id }, { token: b.owner.token }), 'NOT_FOUND');
  });
});
