import { createHash } from 'node:crypto';
import {
  AcceptInvitationDocument,
  DeclineInvitationDocument,
  InvitationsDocument,
  InviteMemberDocument,
  OrganizationOverviewDocument,
  RevokeInvitationDocument,
} from '../../schema/generated/operations';
import { execute, expectError, expectNoErrors } from '../kit/client';
import { uniqueEmail } from '../kit/seed';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

let supergraph: TestSupergraph;
let acme: SeededOrganization;
let globex: SeededOrganization;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  acme = await supergraph.seed.org({ name: 'Acme' }).withMember({ role: 'role_admin' }).create();
  globex = await supergraph.seed.org({ name: 'Globex' }).withMember({ name: 'Gina Globex' }).create();
});
afterAll(async () => {
  await supergraph?.stop();
});

const admin = () => acme.members[0]!;
const gina = () => globex.members[0]!;

async function invite(email: string, options: { token?: string; roleId?: string } = {}) {
  const exchange = await supergraph.gateway(
    InviteMemberDocument,
    { input: { organizationId: acme.organization.id, email, roleId: options.roleId } },
    { token: options.token ?? admin().token },
  );
  return expectNoErrors(exchange).inviteMember;
}

async function memberEmails(): Promise<string[]> {
  const { organization } = expectNoErrors(
    await supergraph.gateway(OrganizationOverviewDocument, { id: acme.organization.id }, { token: acme.owner.token }),
  );
  return organization!.members.map((member) => member.user.email);
}

describe("inviting another organization's user", () => {
  it('attaches nobody and shows nothing about them but the email that was typed', async () => {
    const before = await memberEmails();
    const exchange = await supergraph.gateway(
      InviteMemberDocument,
      { input: { organizationId: acme.organization.id, email: gina().user.email.toUpperCase() } },
      { token: admin().token },
    );
    const invitation = expectNoErrors(exchange).inviteMember;
    expect(invitation).toMatchObject({ email: gina().user.email, status: 'PENDING', roleId: 'role_member' });
    expect(JSON.stringify(exchange.body)).not.toContain(gina().user.id);
    expect(JSON.stringify(exchange.body)).not.toContain('Gina');
    expect(await memberEmails()).toEqual(before);

    // Invitations have no way to reach the person's account.
    const probe = await supergraph.gateway('{ invitations(organizationId: "x") { user { name } } }', undefined, { token: admin().token });
    expectError(probe, 'BAD_USER_INPUT');
    expectNoErrors(await supergraph.gateway(RevokeInvitationDocument, { id: invitation.id }, { token: admin().token }));
  });

  it('makes them a member only when they accept, signed in as themselves', async () => {
    const { token } = await invite(gina().user.email);

    const anonymous = await supergraph.gateway(AcceptInvitationDocument, { token: token! });
    expectError(anonymous, 'UNAUTHENTICATED');
    const someoneElse = await supergraph.gateway(AcceptInvitationDocument, { token: token! }, { token: acme.owner.token });
    expectError(someoneElse, 'FORBIDDEN');
    expect(await memberEmails()).not.toContain(gina().user.email);

    // Her token is for Globex: any organization of hers proves who she is.
    const accepted = expectNoErrors(await supergraph.gateway(AcceptInvitationDocument, { token: token! }, { token: gina().token }));
    expect(accepted.acceptInvitation).toMatchObject({ status: 'ACTIVE', organization: { id: acme.organization.id } });
    expect(await memberEmails()).toContain(gina().user.email);

    const again = await supergraph.gateway(AcceptInvitationDocument, { token: token! }, { token: gina().token });
    expectError(again, 'CONFLICT');
  });
});

describe('a person with no account yet', () => {
  it('proves the address with the token alone, and their user is created on acceptance', async () => {
    const email = uniqueEmail('newcomer');
    const invitation = await invite(email, { roleId: 'role_guest' });
    expect(await supergraph.seed.identity.users.findByEmail(email)).toBeNull();

    const accepted = expectNoErrors(await supergraph.gateway(AcceptInvitationDocument, { token: invitation.token! }));
    expect(accepted.acceptInvitation.user.email).toBe(email);
    const token = await supergraph.seed.tokenFor(accepted.acceptInvitation.user.id, acme.organization.id);
    const { myPermissions } = expectNoErrors(
      await supergraph.gateway<{ myPermissions: string[] }, undefined>('{ myPermissions }', undefined, { token }),
    );
    expect(myPermissions).toEqual(['consent:read', 'consent:update', 'members:read', 'organization:read', 'profile:read', 'roles:read']);

    const listed = expectNoErrors(
      await supergraph.gateway(InvitationsDocument, { organizationId: acme.organization.id, status: 'ACCEPTED' }, { token: admin().token }),
    );
    expect(listed.invitations?.map((i) => i.id)).toContain(invitation.id);
  });
});

describe('the token', () => {
  it('is stored hashed, shown once, and stops working when revoked, declined or expired', async () => {
    const invitation = await invite(uniqueEmail('hashed'));
    const rows: { token_hash: string }[] = await supergraph.dataSources.identity.query(
      'SELECT token_hash FROM identity.invitations WHERE id = $1',
      [invitation.id],
    );
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(invitation.token!).digest('hex'));
    const listed = expectNoErrors(
      await supergraph.gateway(InvitationsDocument, { organizationId: acme.organization.id }, { token: admin().token }),
    );
    expect(listed.invitations?.find((i) => i.id === invitation.id)).not.toHaveProperty('token');

    const revoked = expectNoErrors(await supergraph.gateway(RevokeInvitationDocument, { id: invitation.id }, { token: admin().token }));
    expect(revoked.revokeInvitation.status).toBe('REVOKED');
    expectError(await supergraph.gateway(AcceptInvitationDocument, { token: invitation.token! }), 'CONFLICT');

    const declined = await invite(uniqueEmail('declines'));
    expect(expectNoErrors(await supergraph.gateway(DeclineInvitationDocument, { token: declined.token! })).declineInvitation.status).toBe(
      'DECLINED',
    );
    expectError(await supergraph.gateway(AcceptInvitationDocument, { token: declined.token! }), 'CONFLICT');

    const lapsed = await invite(uniqueEmail('late'));
    await supergraph.dataSources.identity.query("UPDATE identity.invitations SET expires_at = now() - interval '1 second' WHERE id = $1", [
      lapsed.id,
    ]);
    expectError(await supergraph.gateway(AcceptInvitationDocument, { token: lapsed.token! }), 'CONFLICT');
    const expired = expectNoErrors(
      await supergraph.gateway(InvitationsDocument, { organizationId: acme.organization.id, status: 'EXPIRED' }, { token: admin().token }),
    );
    expect(expired.invitations?.map((i) => i.id)).toEqual([lapsed.id]);

    expectError(await supergraph.gateway(AcceptInvitationDocument, { token: 'guessed' }), 'NOT_FOUND');
  });
});

describe('what an invitation may give', () => {
  it('refuses a role the inviter does not hold everything of, through the gateway and at identity directly', async () => {
    const viaGateway = await supergraph.gateway(
      InviteMemberDocument,
      { input: { organizationId: acme.organization.id, email: uniqueEmail('boss'), roleId: 'role_owner' } },
      { token: admin().token },
    );
    expect(expectError(viaGateway, 'FORBIDDEN').extensions?.field).toBe('input.roleId');
    const direct = await execute(
      supergraph.subgraphUrls.identity,
      'mutation($input: InviteMemberInput!) { inviteMember(input: $input) { id } }',
      { input: { organizationId: acme.organization.id, email: uniqueEmail('boss'), roleId: 'role_owner' } },
      { token: admin().token },
    );
    expectError(direct, 'FORBIDDEN');
  });

  it('cannot be aimed at another organization', async () => {
    const exchange = await supergraph.gateway(
      InviteMemberDocument,
      { input: { organizationId: globex.organization.id, email: uniqueEmail('planted') } },
      { token: admin().token },
    );
    expectError(exchange, 'FORBIDDEN');
  });
});
