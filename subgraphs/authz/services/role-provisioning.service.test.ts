import type { MEMBERSHIP_EVENT_TYPES } from '../../../platform/outbox/event-catalogue';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { testConfig } from '../../../tests/kit/supergraph';
import { createAccessControl } from '../../../platform/authorization/access-control';
import type { AccessControl } from '../../../platform/authorization/access-control';
import { createDataSource } from '../../../platform/database';
import { newId } from '../../../platform/ids';
import { createLogger } from '../../../platform/logger';
import { applyOnce } from '../../../platform/outbox/consumer';
import type { AnyEvent } from '../../../platform/outbox/event-catalogue';
import { membershipRolesConsumer } from '../consumers/membership-roles.consumer';
import { authzSubgraph } from '../index';
import { createAuthzServices } from './index';
import type { AuthzServices } from './index';

let database: TestDatabase;
let dataSource: DataSource;
let access: AccessControl;
let authz: AuthzServices;
let sequence = 0;

/** identity's event, numbered as its outbox would: `sequence` lets a spec deliver an older one late. */
function fact(
  type: (typeof MEMBERSHIP_EVENT_TYPES)[number],
  organizationId: string,
  userId: string,
  extra: { status?: 'active' | 'suspended'; sequence?: number } = {},
) {
  sequence += 1;
  const membership = { organizationId, userId, membershipId: `mem_${userId}` };
  const base = { id: newId('event'), source: 'identity', sequence: extra.sequence ?? sequence, occurredAt: new Date() };
  switch (type) {
    case 'identity.organization.created':
      return {
        ...base,
        type,
        payload: { organizationId, name: 'Org', creatorUserId: userId, creatorMembershipId: membership.membershipId },
      };
    case 'identity.member.added':
    case 'identity.member.status_changed':
      return { ...base, type, payload: { ...membership, status: extra.status ?? 'active' } } as AnyEvent;
    case 'identity.member.removed':
      return { ...base, type, payload: membership };
  }
}

async function deliver(event: AnyEvent): Promise<void> {
  await applyOnce(dataSource, membershipRolesConsumer(authz), event);
}

async function rolesOf(organizationId: string, userId: string): Promise<string[]> {
  return (await authz.assignments.listForUser(organizationId, userId)).map((assignment) => assignment.roleId).sort();
}

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(authzSubgraph.storage, {
    url: database.url,
    poolMax: 4,
    applicationName: 'provisioning-spec',
  }).initialize();
  access = await createAccessControl(testConfig(), dataSource, createLogger('silent'));
  authz = createAuthzServices({ dataSource, access });
});
afterAll(async () => {
  await access?.close();
  await dataSource?.destroy();
  await database?.drop();
});

describe('roles from membership events', () => {
  it('makes the creator of an organization its owner, and a new member a member', async () => {
    const org = newId('organization');
    await deliver(fact('identity.organization.created', org, 'user_creator'));
    await deliver(fact('identity.member.added', org, 'user_joiner'));
    expect(await rolesOf(org, 'user_creator')).toEqual(['role_owner']);
    expect(await rolesOf(org, 'user_joiner')).toEqual(['role_member']);
    expect(await authz.memberships.statusOf(org, 'user_joiner')).toBe('active');
  });

  it('takes every role away with the membership, and an older event arriving late does not bring them back', async () => {
    const org = newId('organization');
    await deliver(fact('identity.organization.created', org, 'user_owner'));
    const added = fact('identity.member.added', org, 'user_leaver');
    await deliver(added);
    await authz.assignments.assign(org, 'user_owner', { userId: 'user_leaver', roleId: 'role_admin' });
    await deliver(fact('identity.member.removed', org, 'user_leaver'));
    expect(await rolesOf(org, 'user_leaver')).toEqual([]);
    expect(await authz.memberships.statusOf(org, 'user_leaver')).toBe('removed');

    // The same "added" from another relay, published late under another id: older than the removal, so nothing changes.
    await deliver({ ...added, id: newId('event') });
    expect(await rolesOf(org, 'user_leaver')).toEqual([]);
    await expect(authz.assignments.assign(org, 'user_owner', { userId: 'user_leaver', roleId: 'role_admin' })).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND', field: 'input.userId' },
    });
  });

  it('keeps roles through a suspension, but gives no new ones until the member is active again', async () => {
    const org = newId('organization');
    await deliver(fact('identity.organization.created', org, 'user_owner'));
    await deliver(fact('identity.member.added', org, 'user_resting'));
    await deliver(fact('identity.member.status_changed', org, 'user_resting', { status: 'suspended' }));
    expect(await rolesOf(org, 'user_resting')).toEqual(['role_member']);
    await expect(authz.assignments.assign(org, 'user_owner', { userId: 'user_resting', roleId: 'role_guest' })).rejects.toMatchObject({
      extensions: { code: 'CONFLICT' },
    });
    expect(await authz.decisions.check(org, 'user_resting', 'members', 'read')).toMatchObject({ allowed: false });

    await deliver(fact('identity.member.status_changed', org, 'user_resting', { status: 'active' }));
    await authz.assignments.assign(org, 'user_owner', { userId: 'user_resting', roleId: 'role_guest' });
    expect(await rolesOf(org, 'user_resting')).toEqual(['role_guest', 'role_member']);
  });
});
