import type { DataSource } from 'typeorm';
import { createBillingServices } from '../subgraphs/billing';
import type { AccessControl } from '../platform/authorization/access-control';
import type { Config } from '../platform/config';
import type { Messaging } from '../platform/outbox/messaging';
import { createIdentityServices } from '../subgraphs/identity';

/** The ids the product's own documentation uses in its examples, so they run as written. */
export const DEMO_ORGANIZATION_ID = 'org_123';
export const DEMO_OWNER_ID = 'user_123';

export const DEMO_MEMBERS = [
  { id: DEMO_OWNER_ID, email: 'owner@acme.example', name: 'Ada Owner', roleId: 'role_owner' },
  { id: 'user_124', email: 'admin@acme.example', name: 'Alan Admin', roleId: 'role_admin' },
  { id: 'user_125', email: 'billing@acme.example', name: 'Bea Billing', roleId: 'role_billing_manager' },
  { id: 'user_126', email: 'member@acme.example', name: 'Max Member', roleId: 'role_member' },
  { id: 'user_127', email: 'guest@acme.example', name: 'Gil Guest', roleId: 'role_guest' },
] as const;

/**
 * Loads the demo organization (Acme Communications, `org_123`, owned by `user_123`)
 * with five members, one for each system role, and its Free subscription. Does nothing if it is already there.
 * Memberships go through identity as any other: authz gives each member their role from
 * the membership's event, through the running `messaging`.
 */
export async function loadDemoOrganization(
  config: Config,
  dataSources: { identity: DataSource; authz: DataSource; billing: DataSource },
  access: AccessControl,
  messaging: Messaging,
): Promise<boolean> {
  const identity = createIdentityServices({ config, dataSource: dataSources.identity, access, messaging });
  if ((await identity.organizations.findByIds([DEMO_ORGANIZATION_ID])).length > 0) return false;
  const [owner, ...others] = DEMO_MEMBERS;
  await identity.users.ensureByEmail(owner);
  await identity.organizations.create({ name: 'Acme Communications', slug: 'acme' }, owner.id, DEMO_ORGANIZATION_ID);
  for (const member of others) {
    await identity.users.ensureByEmail(member);
    await identity.members.add({ organizationId: DEMO_ORGANIZATION_ID, email: member.email, roleId: member.roleId });
  }
  await createBillingServices({ dataSource: dataSources.billing, access }).subscriptions.startFree([DEMO_ORGANIZATION_ID]);
  return true;
}
