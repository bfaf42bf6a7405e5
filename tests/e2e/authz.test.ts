import {
  AssignRoleDocument,
  CheckPermissionDocument,
  CreateOrganizationDocument,
  CreateRoleDocument,
  DeleteRoleDocument,
  ExplainPermissionDocument,
  MemberRolesDocument,
  MyPermissionsDocument,
  OrganizationOverviewDocument,
  RemoveMemberDocument,
  RevokeRoleDocument,
  RolesDocument,
  UpdateRoleDocument,
  UserPermissionsDocument,
  WhoCanDocument,
} from '../../schema/generated/operations';
import type { AccessDecisionEvent, InProcessDecisionLog } from '../../platform/authorization/decision-log';
import { execute, expectError, expectNoErrors } from '../kit/client';
import { joinByInvitation } from '../kit/invitations';
import { uniqueEmail } from '../kit/seed';
import type { SeededOrganization } from '../kit/seed';
import { gatewayCredential, startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

let supergraph: TestSupergraph;
let acme: SeededOrganization;
let globex: SeededOrganization;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  acme = await supergraph.seed
    .org({ name: 'Acme' })
    .withMember({ name: 'Ann Admin', role: 'role_admin' })
    .withMember({ name: 'Bill Billing', role: 'role_billing_manager' })
    .withMember({ name: 'Meg Member' })
    .withMember({ name: 'Gus Guest', role: 'role_guest' })
    .create();
  globex = await supergraph.seed.org({ name: 'Globex' }).withMember().create();
});
afterAll(async () => {
  await supergraph?.stop();
});

const [admin, billing, member, guest] = [0, 1, 2, 3].map((index) => () => acme.members[index]!);

describe('system roles', () => {
  it('every organization has the five system roles, with their permissions', async () => {
    const { roles } = expectNoErrors(await supergraph.gateway(RolesDocument, {}, { token: guest().token }));
    expect(roles!.filter((role) => role.system).map((role) => [role.id, role.name])).toEqual([
      ['role_owner', 'Owner'],
      ['role_admin', 'Admin'],
      ['role_billing_manager', 'Billing manager'],
      ['role_member', 'Member'],
      ['role_guest', 'Guest'],
    ]);
    expect(roles!.find((role) => role.id === 'role_owner')?.permissions).toEqual(['*:*']);
    expect(roles!.find((role) => role.id === 'role_guest')?.permissions).toEqual([
      'consent:read',
      'consent:update',
      'members:read',
      'organization:read',
      'profile:read',
      'roles:read',
    ]);
  });

  it('cannot be changed or deleted, even by the owner', async () => {
    const update = await supergraph.gateway(UpdateRoleDocument, { id: 'role_admin', input: { name: 'Boss' } }, { token: acme.owner.token });
    expect(expectError(update, 'CONFLICT').message).toMatch(/system role/);
    const remove = await supergraph.gateway(DeleteRoleDocument, { id: 'role_guest' }, { token: acme.owner.token });
    expectError(remove, 'CONFLICT');
  });

  it('the creator of an organization is its owner, and a new member gets the member role', async () => {
    const created = expectNoErrors(
      await supergraph.gateway(CreateOrganizationDocument, { input: { name: 'Initech' } }, { token: member().token }),
    );
    const id = created.createOrganization.id;
    const token = await supergraph.seed.tokenFor(member().user.id, id);
    expect(expectNoErrors(await supergraph.gateway(MyPermissionsDocument, {}, { token })).myPermissions).toEqual(['*:*']);

    const email = uniqueEmail('newcomer');
    await joinByInvitation(supergraph.gateway, { inviterToken: token, organizationId: id, email });
    const { organization } = expectNoErrors(await supergraph.gateway(MemberRolesDocument, { id }, { token }));
    const newcomer = organization!.members.find((m) => m.user.email === email);
    expect(newcomer?.user.roles?.map((assignment) => assignment.role.id)).toEqual(['role_member']);
  });
});

describe('custom roles', () => {
  it('are created, changed and deleted, and take effect on the next request', async () => {
    const created = expectNoErrors(
      await supergraph.gateway(
        CreateRoleDocument,
        { input: { name: 'Auditor', description: 'Reads the books', permissions: ['billing:read', 'members:read'] } },
        { token: acme.owner.token },
      ),
    ).createRole;
    expect(created).toMatchObject({ name: 'Auditor', system: false, permissions: ['billing:read', 'members:read'] });
    expect(created.id).toMatch(/^role_/);

    // Meg (member) cannot read billing until she holds Auditor.
    const before = await supergraph.gateway(OrganizationOverviewDocument, { id: acme.organization.id }, { token: member().token });
    expect(expectError(before, 'FORBIDDEN').extensions?.requiredPermission).toBe('billing:read');
    expectNoErrors(
      await supergraph.gateway(
        AssignRoleDocument,
        { input: { userId: member().user.id, roleId: created.id } },
        { token: acme.owner.token },
      ),
    );
    expectNoErrors(await supergraph.gateway(OrganizationOverviewDocument, { id: acme.organization.id }, { token: member().token }));

    // Narrowing the role takes billing away again, on the very next request.
    expectNoErrors(
      await supergraph.gateway(
        UpdateRoleDocument,
        { id: created.id, input: { permissions: ['members:read'] } },
        { token: acme.owner.token },
      ),
    );
    expectError(
      await supergraph.gateway(OrganizationOverviewDocument, { id: acme.organization.id }, { token: member().token }),
      'FORBIDDEN',
    );

    expectNoErrors(await supergraph.gateway(DeleteRoleDocument, { id: created.id }, { token: acme.owner.token }));
    const { roles } = expectNoErrors(await supergraph.gateway(RolesDocument, {}, { token: acme.owner.token }));
    expect(roles!.map((role) => role.id)).not.toContain(created.id);
    const { organization } = expectNoErrors(
      await supergraph.gateway(MemberRolesDocument, { id: acme.organization.id }, { token: acme.owner.token }),
    );
    const meg = organization!.members.find((m) => m.user.id === member().user.id);
    expect(meg?.user.roles?.map((assignment) => assignment.role.id)).toEqual(['role_member']);
  });

  it('refuse permissions that are not in the catalogue, naming the entry', async () => {
    const exchange = await supergraph.gateway(
      CreateRoleDocument,
      { input: { name: 'Typo', permissions: ['members:read', 'billing:destroy'] } },
      { token: acme.owner.token },
    );
    const error = expectError(exchange, 'BAD_USER_INPUT');
    expect(error.extensions?.field).toBe('input.permissions[1]');
    expect(error.message).toMatch(/"billing" has no action "destroy"/);
  });

  it('refuse a name already taken, system names included', async () => {
    const exchange = await supergraph.gateway(
      CreateRoleDocument,
      { input: { name: 'owner', permissions: ['members:read'] } },
      { token: acme.owner.token },
    );
    expectError(exchange, 'CONFLICT');
  });

  it('cannot grant more than the caller holds: an admin cannot make or take an owner-like role', async () => {
    const escalate = await supergraph.gateway(
      CreateRoleDocument,
      { input: { name: 'Almost owner', permissions: ['billing:update'] } },
      { token: admin().token },
    );
    expect(expectError(escalate, 'FORBIDDEN').message).toMatch(/billing:update, which you do not hold yourself/);
    const takeOwner = await supergraph.gateway(
      AssignRoleDocument,
      { input: { userId: admin().user.id, roleId: 'role_owner' } },
      { token: admin().token },
    );
    expectError(takeOwner, 'FORBIDDEN');
    // Within their own permissions, an admin may.
    expectNoErrors(
      await supergraph.gateway(
        CreateRoleDocument,
        { input: { name: 'Greeter', permissions: ['members:create', 'members:read'] } },
        { token: admin().token },
      ),
    );
  });
});

describe('assignments', () => {
  it('an expiring assignment grants until its instant, then stops with no job running', async () => {
    const team = await supergraph.seed.org().withMember().create();
    const [person] = team.members;
    const expiresAt = new Date(Date.now() + 1500);
    const assigned = expectNoErrors(
      await supergraph.gateway(
        AssignRoleDocument,
        { input: { userId: person!.user.id, roleId: 'role_admin', expiresAt: expiresAt.toISOString() } },
        { token: team.owner.token },
      ),
    ).assignRole;
    expect(assigned).toMatchObject({ active: true, expiresAt: expiresAt.toISOString(), role: { id: 'role_admin' } });
    const ask = () =>
      supergraph.gateway(
        CheckPermissionDocument,
        { userId: person!.user.id, resource: 'members', action: 'delete' },
        { token: team.owner.token },
      );
    expect(expectNoErrors(await ask()).checkPermission?.allowed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, expiresAt.getTime() - Date.now() + 50));
    expect(expectNoErrors(await ask()).checkPermission?.allowed).toBe(false);
    const explained = expectNoErrors(
      await supergraph.gateway(
        ExplainPermissionDocument,
        { userId: person!.user.id, resource: 'members', action: 'delete' },
        { token: team.owner.token },
      ),
    ).explainPermission;
    expect(explained).toMatchObject({ allowed: false, policyLines: [] });
    expect(explained!.reason).toMatch(/none of role_member grants members:delete/);
  });

  it('refuses an expiry in the past', async () => {
    const exchange = await supergraph.gateway(
      AssignRoleDocument,
      { input: { userId: member().user.id, roleId: 'role_guest', expiresAt: new Date(Date.now() - 60_000).toISOString() } },
      { token: acme.owner.token },
    );
    expect(expectError(exchange, 'BAD_USER_INPUT').extensions?.field).toBe('input.expiresAt');
  });

  it('keeps the last owner: the role cannot be revoked, nor the member removed', async () => {
    const team = await supergraph.seed.org().withMember({ role: 'role_admin' }).create();
    const revoke = await supergraph.gateway(
      RevokeRoleDocument,
      { input: { userId: team.owner.user.id, roleId: 'role_owner' } },
      { token: team.owner.token },
    );
    expect(expectError(revoke, 'CONFLICT').message).toMatch(/last owner/);
    const remove = await supergraph.gateway(RemoveMemberDocument, { id: team.owner.membership.id }, { token: team.owner.token });
    expect(expectError(remove, 'CONFLICT').message).toMatch(/last owner/);
    const { organization } = expectNoErrors(
      await supergraph.gateway(OrganizationOverviewDocument, { id: team.organization.id }, { token: team.owner.token }),
    );
    expect(organization!.members).toHaveLength(2);
  });

  it('a removed member loses every role with the membership', async () => {
    const team = await supergraph.seed.org().withMember({ role: 'role_admin' }).create();
    const [leaver] = team.members;
    expectNoErrors(await supergraph.gateway(RemoveMemberDocument, { id: leaver!.membership.id }, { token: team.owner.token }));
    const { userPermissions } = expectNoErrors(
      await supergraph.gateway(UserPermissionsDocument, { userId: leaver!.user.id }, { token: team.owner.token }),
    );
    expect(userPermissions).toEqual([]);
  });
});

describe('decisions', () => {
  it('checkPermission answers for the user asked about, in the token’s organization only', async () => {
    const allowed = expectNoErrors(
      await supergraph.gateway(
        CheckPermissionDocument,
        { userId: billing().user.id, resource: 'billing', action: 'update', organizationId: acme.organization.id },
        { token: admin().token },
      ),
    ).checkPermission;
    expect(allowed).toMatchObject({ allowed: true, permission: 'billing:update', organizationId: acme.organization.id });
    expect(allowed!.user?.email).toBe(billing().user.email);
    const foreign = await supergraph.gateway(
      CheckPermissionDocument,
      { userId: globex.owner.user.id, resource: 'billing', action: 'update', organizationId: globex.organization.id },
      { token: admin().token },
    );
    expect(expectError(foreign, 'FORBIDDEN').extensions?.field).toBe('organizationId');
  });

  it('refuses a question about an unknown resource or action, naming it', async () => {
    const resource = await supergraph.gateway(
      CheckPermissionDocument,
      { userId: guest().user.id, resource: 'bilLing', action: 'read' },
      { token: acme.owner.token },
    );
    expect(expectError(resource, 'BAD_USER_INPUT').extensions?.field).toBe('resource');
    const action = await supergraph.gateway(
      CheckPermissionDocument,
      { userId: guest().user.id, resource: 'billing', action: 'fly' },
      { token: acme.owner.token },
    );
    expect(expectError(action, 'BAD_USER_INPUT').extensions?.field).toBe('action');
  });

  it('explainPermission shows the Casbin lines that grant it', async () => {
    const { explainPermission } = expectNoErrors(
      await supergraph.gateway(
        ExplainPermissionDocument,
        { userId: billing().user.id, resource: 'billing', action: 'update' },
        { token: acme.owner.token },
      ),
    );
    expect(explainPermission!.allowed).toBe(true);
    expect(explainPermission!.policyLines).toEqual([
      `g, ${billing().user.id}, role_billing_manager, ${acme.organization.id}`,
      'p, role_billing_manager, *, billing, *',
    ]);
    expect(explainPermission!.reason).toMatch(/role_billing_manager grants billing:update/);
  });

  it('whoCan lists the users of the organization who may', async () => {
    const { whoCan } = expectNoErrors(
      await supergraph.gateway(WhoCanDocument, { resource: 'billing', action: 'update' }, { token: acme.owner.token }),
    );
    expect(whoCan!.map((user) => user.email).sort()).toEqual([acme.owner.user.email, billing().user.email].sort());
  });

  it('a denial is recorded with who, what, where, and the permission missing', async () => {
    const log = supergraph.access.decisions as InProcessDecisionLog;
    const seen: AccessDecisionEvent[] = [];
    const stop = log.onDecision((event) => seen.push(event));
    try {
      const exchange = await supergraph.gateway(RolesDocument, {}, { token: guest().token });
      expectNoErrors(exchange);
      const denied = await supergraph.gateway(
        CreateRoleDocument,
        { input: { name: 'Nope', permissions: ['profile:read'] } },
        { token: guest().token },
      );
      expectError(denied, 'FORBIDDEN');
    } finally {
      stop();
    }
    expect(seen).toEqual([
      expect.objectContaining({
        type: 'authz.decision',
        allowed: false,
        userId: guest().user.id,
        organizationId: acme.organization.id,
        resource: 'roles',
        action: 'create',
        field: 'Mutation.createRole',
        subgraph: 'authz',
      }),
    ]);
  });
});

describe('subgraphs enforce the directive themselves', () => {
  it('a guest calling the identity subgraph directly, without the gateway, is refused', async () => {
    const exchange = await execute(
      supergraph.subgraphUrls.identity,
      'mutation($input: InviteMemberInput!) { inviteMember(input: $input) { id } }',
      { input: { organizationId: acme.organization.id, email: uniqueEmail('sneak') } },
      { token: guest().token },
    );
    expect(expectError(exchange, 'FORBIDDEN').extensions?.requiredPermission).toBe('members:create');
  });

  it("an entity field's permission holds through _entities too", async () => {
    const exchange = await execute(
      supergraph.subgraphUrls.billing,
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { subscription { id } } } }',
      { r: [{ __typename: 'Organization', id: acme.organization.id }] },
      { token: guest().token, headers: gatewayCredential(supergraph.config) },
    );
    expect(expectError(exchange, 'FORBIDDEN').extensions?.requiredPermission).toBe('billing:read');
  });
});
