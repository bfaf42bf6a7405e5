/**
 * The five roles every organization has, with fixed ids. They are Casbin policies in
 * the domain `*` (all organizations), written by the authz migration that seeds them;
 * they cannot be edited or deleted. A change here needs a migration that rewrites them.
 */
export interface SystemRole {
  id: string;
  name: string;
  description: string;
  permissions: readonly string[];
}

export const SYSTEM_ROLES: readonly SystemRole[] = [
  {
    id: 'role_owner',
    name: 'Owner',
    description: 'Everything, including billing and the organization itself.',
    permissions: ['*:*'],
  },
  {
    id: 'role_admin',
    name: 'Admin',
    description:
      "Members, roles, settings, API keys, members' sessions and single sign-on; reads billing; runs compliance and analytics; sees the background jobs.",
    permissions: [
      'organization:read',
      'organization:update',
      'organization:create',
      'members:*',
      'roles:*',
      'permissions:read',
      'profile:*',
      'billing:read',
      'audit:read',
      'audit:export',
      'audit:update',
      'compliance:*',
      'analytics:*',
      'jobs:read',
      'api_keys:manage',
      'consent:read',
      'consent:update',
      'sessions:manage',
      'sso:manage',
    ],
  },
  {
    id: 'role_billing_manager',
    name: 'Billing manager',
    description: 'Plans, subscriptions, invoices and usage.',
    permissions: [
      'organization:read',
      'organization:create',
      'members:read',
      'roles:read',
      'profile:*',
      'billing:*',
      'analytics:read',
      'consent:read',
      'consent:update',
    ],
  },
  {
    id: 'role_member',
    name: 'Member',
    description: 'The standard role: uses the product and sees the organization.',
    permissions: [
      'organization:read',
      'organization:create',
      'members:read',
      'roles:read',
      'profile:*',
      'analytics:read',
      'consent:read',
      'consent:update',
    ],
  },
  {
    id: 'role_guest',
    name: 'Guest',
    description: 'Read-only: sees the organization and its members, changes nothing but their own consent.',
    permissions: ['organization:read', 'members:read', 'roles:read', 'profile:read', 'consent:read', 'consent:update'],
  },
];

export const OWNER_ROLE_ID = 'role_owner';
export const ADMIN_ROLE_ID = 'role_admin';
export const MEMBER_ROLE_ID = 'role_member';

export function systemRole(id: string): SystemRole | undefined {
  return SYSTEM_ROLES.find((role) => role.id === id);
}
