import { BadUserInputError } from '../errors';

/**
 * Every permission the platform checks, as resource → actions. A permission is written
 * `resource:action`; `*` in either place is a wildcard (`billing:*`, `*:read`, `*:*`).
 * Custom roles may only use what is listed here, so a typo is refused, not stored.
 */
export const PERMISSION_CATALOGUE = {
  organization: ['read', 'update', 'create'],
  members: ['read', 'create', 'update', 'delete'],
  roles: ['read', 'create', 'update', 'delete', 'assign'],
  permissions: ['read'],
  profile: ['read', 'update'],
  billing: ['read', 'update'],
  audit: ['read', 'export', 'write', 'update'],
  compliance: ['read', 'manage', 'approve'],
  consent: ['read', 'update'],
  analytics: ['read', 'write', 'export'],
  jobs: ['read'],
  api_keys: ['manage'],
  sessions: ['manage'],
  sso: ['manage'],
} as const satisfies Record<string, readonly string[]>;

export const WILDCARD = '*';

export interface Permission {
  resource: string;
  action: string;
}

export function formatPermission({ resource, action }: Permission): string {
  return `${resource}:${action}`;
}

export function isCataloguedPermission(resource: string, action: string): boolean {
  const actions = (PERMISSION_CATALOGUE as Record<string, readonly string[]>)[resource];
  return actions !== undefined && actions.includes(action);
}

/** Every concrete permission of the catalogue, `resource:action`. */
export function allPermissions(): Permission[] {
  return Object.entries(PERMISSION_CATALOGUE).flatMap(([resource, actions]) => actions.map((action) => ({ resource, action })));
}

/**
 * Reads `resource:action` as a client wrote it: each part a catalogued name or `*`.
 * Anything else is BAD_USER_INPUT naming the field and what is allowed.
 */
export function parsePermission(value: string, field: string): Permission {
  const match = /^([a-z_*]+):([a-z_*]+)$/.exec(value.trim());
  if (!match) throw new BadUserInputError(`${field}: "${value}" is not a permission; write resource:action, such as members:read`, field);
  const [, resource, action] = match as unknown as [string, string, string];
  const actions = (PERMISSION_CATALOGUE as Record<string, readonly string[]>)[resource];
  if (resource !== WILDCARD && !actions) {
    throw new BadUserInputError(
      `${field}: unknown resource "${resource}"; one of ${Object.keys(PERMISSION_CATALOGUE).join(', ')} or *`,
      field,
    );
  }
  if (action !== WILDCARD && actions && !actions.includes(action)) {
    throw new BadUserInputError(`${field}: "${resource}" has no action "${action}"; one of ${actions.join(', ')} or *`, field);
  }
  if (action !== WILDCARD && !actions && !allPermissions().some((permission) => permission.action === action)) {
    throw new BadUserInputError(`${field}: no resource has the action "${action}"`, field);
  }
  return { resource, action };
}

/** Whether `grant` (which may hold wildcards) allows `wanted` (which may too: `billing:*` needs `billing:*` or `*:*`). */
export function grantCovers(grant: Permission, wanted: Permission): boolean {
  return (
    (grant.resource === WILDCARD || grant.resource === wanted.resource) && (grant.action === WILDCARD || grant.action === wanted.action)
  );
}
