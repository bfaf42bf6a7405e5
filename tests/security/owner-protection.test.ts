import {
  AssignRoleDocument,
  MemberRolesDocument,
  RemoveMemberDocument,
  RevokeRoleDocument,
  UpdateMemberDocument,
} from '../../schema/generated/operations';
import { execute, expectError, expectNoErrors } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

let supergraph: TestSupergraph;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
});
afterAll(async () => {
  await supergraph?.stop();
});

/** The roles each member holds now, by user id, as the owner sees them. */
async function rolesOf(team: SeededOrganization): Promise<Record<string, string[]>> {
  const { organization } = expectNoErrors(
    await supergraph.gateway(MemberRolesDocument, { id: team.organization.id }, { token: team.owner.token }),
  );
  return Object.fromEntries(
    organization!.members.map((member) => [member.user.id, (member.user.roles ?? []).filter((r) => r.active).map((r) => r.role.id)]),
  );
}

describe('only an owner may suspend, remove or demote an owner', () => {
  it('refuses an admin who suspends the sole owner, through the gateway and at identity directly', async () => {
    const team = await supergraph.seed.org().withMember({ role: 'role_admin' }).create();
    const admin = team.members[0]!;
    const variables = { id: team.owner.membership.id, input: { status: 'SUSPENDED' as const } };

    const viaGateway = await supergraph.gateway(UpdateMemberDocument, variables, { token: admin.token });
    expect(expectError(viaGateway, 'FORBIDDEN').message).toMatch(/only an owner may suspend an owner/);
    const direct = await execute(
      supergraph.subgraphUrls.identity,
      'mutation($id: ID!, $input: UpdateMemberInput!) { updateMember(id: $id, input: $input) { status } }',
      variables,
      { token: admin.token },
    );
    expectError(direct, 'FORBIDDEN');

    // The owner is still an owner and still acts.
    expect((await rolesOf(team))[team.owner.user.id]).toEqual(['role_owner']);
  });

  it('refuses an admin who removes a second owner, and lets an owner do it', async () => {
    const team = await supergraph.seed.org().withMember({ role: 'role_admin' }).withMember({ role: 'role_owner' }).create();
    const [admin, coOwner] = team.members as [(typeof team.members)[0], (typeof team.members)[0]];

    const refused = await supergraph.gateway(RemoveMemberDocument, { id: coOwner.membership.id }, { token: admin.token });
    expect(expectError(refused, 'FORBIDDEN').message).toMatch(/only an owner may remove an owner/);
    expect(Object.keys(await rolesOf(team))).toContain(coOwner.user.id);

    expectNoErrors(await supergraph.gateway(RemoveMemberDocument, { id: coOwner.membership.id }, { token: team.owner.token }));
    expect(Object.keys(await rolesOf(team))).not.toContain(coOwner.user.id);
  });

  it('refuses an admin who revokes an owner’s role', async () => {
    const team = await supergraph.seed.org().withMember({ role: 'role_admin' }).withMember({ role: 'role_owner' }).create();
    const [admin, coOwner] = team.members as [(typeof team.members)[0], (typeof team.members)[0]];
    const exchange = await supergraph.gateway(
      RevokeRoleDocument,
      { input: { userId: coOwner.user.id, roleId: 'role_owner' } },
      { token: admin.token },
    );
    expectError(exchange, 'FORBIDDEN');
    expect((await rolesOf(team))[coOwner.user.id]).toEqual(['role_owner']);
  });
});

describe('the last owner counts only owners who will still be owners, and active', () => {
  it('refuses an owner who makes a co-owner for 4 s and then revokes their own owner role', async () => {
    const team = await supergraph.seed.org().withMember().create();
    const friend = team.members[0]!;
    expectNoErrors(
      await supergraph.gateway(
        AssignRoleDocument,
        { input: { userId: friend.user.id, roleId: 'role_owner', expiresAt: new Date(Date.now() + 4_000).toISOString() } },
        { token: team.owner.token },
      ),
    );
    const revoke = await supergraph.gateway(
      RevokeRoleDocument,
      { input: { userId: team.owner.user.id, roleId: 'role_owner' } },
      { token: team.owner.token },
    );
    expect(expectError(revoke, 'CONFLICT').message).toMatch(/last owner/);
    const remove = await supergraph.gateway(RemoveMemberDocument, { id: team.owner.membership.id }, { token: team.owner.token });
    expect(expectError(remove, 'CONFLICT').message).toMatch(/last owner/);
    expect((await rolesOf(team))[team.owner.user.id]).toEqual(['role_owner']);
  });

  it('refuses an expiry on the only owner role that does not expire', async () => {
    const team = await supergraph.seed.org().withMember({ role: 'role_owner' }).create();
    const coOwner = team.members[0]!;
    // Two permanent owners: one of them may be made temporary, not both.
    const first = await supergraph.gateway(
      AssignRoleDocument,
      { input: { userId: coOwner.user.id, roleId: 'role_owner', expiresAt: new Date(Date.now() + 60_000).toISOString() } },
      { token: team.owner.token },
    );
    expectNoErrors(first);
    const second = await supergraph.gateway(
      AssignRoleDocument,
      { input: { userId: team.owner.user.id, roleId: 'role_owner', expiresAt: new Date(Date.now() + 60_000).toISOString() } },
      { token: team.owner.token },
    );
    expect(expectError(second, 'CONFLICT').message).toMatch(/last owner/);
  });

  it('does not count a suspended owner: the only active owner cannot leave', async () => {
    const team = await supergraph.seed.org().withMember({ role: 'role_owner' }).withMember().create();
    const coOwner = team.members[0]!;
    expectNoErrors(
      await supergraph.gateway(
        UpdateMemberDocument,
        { id: coOwner.membership.id, input: { status: 'SUSPENDED' } },
        { token: team.owner.token },
      ),
    );
    const leave = await supergraph.gateway(RemoveMemberDocument, { id: team.owner.membership.id }, { token: team.owner.token });
    expect(expectError(leave, 'CONFLICT').message).toMatch(/last owner/);
  });
});
