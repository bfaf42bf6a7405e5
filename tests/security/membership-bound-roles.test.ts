import { execute, expectError, expectNoErrors } from '../kit/client';
import type { Exchange } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

/**
 * Issue 9, item 7: `assignRole` to a removed member made their old token work again, and a
 * role held by a non-member or an unknown user broke `whoCan` for the whole organization
 * (`data: null`). Roles now go to active members only (authz checks its projection of
 * identity's memberships) and leave with the membership; `whoCan` answers members only.
 */
const ASSIGN = 'mutation($userId: ID!, $roleId: ID!) { assignRole(input: { userId: $userId, roleId: $roleId }) { active } }';
const REMOVE = 'mutation($id: ID!) { removeMember(id: $id) { id } }';
const SUSPEND = 'mutation($id: ID!) { updateMember(id: $id, input: { status: SUSPENDED }) { id } }';
const WHO_CAN = '{ whoCan(resource: "members", action: "delete") { id email } }';
const CHECK = 'query($userId: ID!) { checkPermission(userId: $userId, resource: "members", action: "delete") { allowed } }';
const ME = '{ me { id } }';

let supergraph: TestSupergraph;
let acme: SeededOrganization;
let globex: SeededOrganization;

function assign(userId: string, roleId = 'role_admin'): Promise<Exchange<unknown>> {
  return supergraph.gateway(ASSIGN, { userId, roleId }, { token: acme.owner.token });
}

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  // owner, an admin, a member to remove, a member to suspend
  acme = await supergraph.seed.org({ name: 'Acme' }).withMember({ role: 'role_admin' }).withMember().withMember().create();
  globex = await supergraph.seed.org({ name: 'Globex' }).create();
});
afterAll(async () => {
  await supergraph?.stop();
});

describe('assignRole', () => {
  it('refuses a removed member, whose old token stays refused', async () => {
    const [, leaver] = acme.members;
    expectNoErrors(await supergraph.gateway(REMOVE, { id: leaver!.membership.id }, { token: acme.owner.token }));

    const refused = expectError(await assign(leaver!.user.id), 'NOT_FOUND');
    expect(refused.extensions?.field).toBe('input.userId');
    expect(await supergraph.seed.authz.assignments.listForUser(acme.organization.id, leaver!.user.id)).toEqual([]);
    expectError(await supergraph.gateway(ME, {}, { token: leaver!.token }), 'FORBIDDEN');
    expectError(await execute(supergraph.subgraphUrls.authz, '{ myPermissions }', {}, { token: leaver!.token }), 'FORBIDDEN');
  });

  it("refuses someone who never was a member: another organization's user, an unknown id", async () => {
    expect(expectError(await assign(globex.owner.user.id), 'NOT_FOUND').extensions?.field).toBe('input.userId');
    expect(expectError(await assign('user_01NOBODY000000000000000000'), 'NOT_FOUND').extensions?.field).toBe('input.userId');
  });

  it('refuses a suspended member until reactivated', async () => {
    const [, , suspended] = acme.members;
    expectNoErrors(await supergraph.gateway(SUSPEND, { id: suspended!.membership.id }, { token: acme.owner.token }));
    const refused = expectError(await assign(suspended!.user.id), 'CONFLICT');
    expect(refused.message).toMatch(/suspended/);
  });
});

describe('whoCan', () => {
  it('answers with active members only, even when role lines name a former member and an unknown user', async () => {
    const [admin, leaver, suspended] = acme.members;
    // Lines left from before assignments were bound to memberships: they must not break the answer.
    await supergraph.seed.authz.assignments.grant(acme.organization.id, { userId: leaver!.user.id, roleId: 'role_admin' });
    await supergraph.seed.authz.assignments.grant(acme.organization.id, { userId: 'user_01UNKNOWN0000000000000000', roleId: 'role_admin' });
    await supergraph.seed.authz.assignments.grant(acme.organization.id, { userId: suspended!.user.id, roleId: 'role_admin' });

    const { whoCan } = expectNoErrors(
      await supergraph.gateway<{ whoCan: { id: string; email: string }[] }, object>(WHO_CAN, {}, { token: acme.owner.token }),
    );
    expect(whoCan.map((user) => user.id).sort()).toEqual([acme.owner.user.id, admin!.user.id].sort());
    expect(whoCan.every((user) => user.email.includes('@'))).toBe(true);

    for (const outsider of [leaver!, suspended!]) {
      const { checkPermission } = expectNoErrors(
        await supergraph.gateway<{ checkPermission: { allowed: boolean } }, object>(
          CHECK,
          { userId: outsider.user.id },
          { token: acme.owner.token },
        ),
      );
      expect(checkPermission.allowed).toBe(false);
    }
  });
});

describe('a membership that ends', () => {
  it('takes every role with it', async () => {
    const team = await supergraph.seed.org().withMember({ role: 'role_admin' }).create();
    const [admin] = team.members;
    expectNoErrors(
      await supergraph.gateway(ASSIGN, { userId: admin!.user.id, roleId: 'role_billing_manager' }, { token: team.owner.token }),
    );
    expectNoErrors(await supergraph.gateway(REMOVE, { id: admin!.membership.id }, { token: team.owner.token }));
    expect(await supergraph.seed.authz.assignments.listForUser(team.organization.id, admin!.user.id)).toEqual([]);
  });
});
