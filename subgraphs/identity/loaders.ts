import DataLoader from 'dataloader';
import type { OrganizationMember } from './entities/organization-member.entity';
import type { Organization } from './entities/organization.entity';
import type { User } from './entities/user.entity';
import type { MfaRequirement } from './types/mfa-requirement.type';
import type { SessionPolicy } from './types/session-policy.type';
import type { IdentityServices } from './services';

export interface IdentityLoaders {
  organizationById: DataLoader<string, Organization | null>;
  userById: DataLoader<string, User | null>;
  memberById: DataLoader<string, OrganizationMember | null>;
  membersByOrganizationId: DataLoader<string, OrganizationMember[]>;
  membershipsByUserId: DataLoader<string, OrganizationMember[]>;
  sessionPolicyByOrganizationId: DataLoader<string, SessionPolicy>;
  mfaRequirementByOrganizationId: DataLoader<string, MfaRequirement>;
  /** Keyed `organizationId:userId`. */
  signInLockedUntilByMember: DataLoader<string, Date | null>;
}

export function createIdentityLoaders(services: IdentityServices): IdentityLoaders {
  return {
    organizationById: new DataLoader(async (ids) => byKey(ids, await services.organizations.findByIds(ids), (o) => o.id)),
    userById: new DataLoader(async (ids) => byKey(ids, await services.users.findByIds(ids), (u) => u.id)),
    memberById: new DataLoader(async (ids) => byKey(ids, await services.members.findByIds(ids), (m) => m.id)),
    membersByOrganizationId: new DataLoader(async (ids) =>
      groupBy(ids, await services.members.listByOrganizations(ids), (m) => m.organizationId),
    ),
    membershipsByUserId: new DataLoader(async (ids) => groupBy(ids, await services.members.listByUsers(ids), (m) => m.userId)),
    sessionPolicyByOrganizationId: new DataLoader(async (ids) => services.sessionPolicies.findByOrganizationIds(ids)),
    mfaRequirementByOrganizationId: new DataLoader(async (ids) => services.mfa.requirementsOf(ids)),
    signInLockedUntilByMember: new DataLoader(async (keys) => services.signInProtection.lockedUntilOf(keys)),
  };
}

function byKey<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): (T | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}
