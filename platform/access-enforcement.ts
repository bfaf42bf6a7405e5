import type { GraphQLField, GraphQLObjectType } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import { ROOT_TYPE_NAMES, accessRuleOf } from './access-directives';
import { ADMIN_ROLE_IDS } from './auth/admin-networks';
import type { Principal } from './auth/principal';
import { formatPermission, grantCovers } from './authorization/permissions';
import type { Permission } from './authorization/permissions';
import type { RequestContext } from './context';
import { ForbiddenError, UnauthenticatedError } from './errors';
import { assertDataSubjectCaller, isDataSubjectField } from './personal-data/data-subject';

const ROOT_TYPES = new Set<string>(ROOT_TYPE_NAMES);

/**
 * Enforces the access directives on every field this subgraph resolves, whether the call
 * came through the gateway or straight to the subgraph:
 * - a root field needs a token unless `@public`, and a `@requiresPermission`; a root field
 *   with neither is refused (deny by default, even if the schema check was skipped);
 * - an object field with `@requiresPermission` is checked too;
 * - the permission is checked in the token's organization; an `organizationId` argument
 *   (or `input.organizationId`) or a parent object of another organization is FORBIDDEN.
 */
export function accessEnforcement(subgraph: string): MiddlewareFn<RequestContext> {
  return async ({ context, info, args, root }, next) => {
    await enforceFieldAccess(context, subgraph, info.parentType, info.fieldName, args, root);
    return next();
  };
}

/** The checks above for one field: by the middleware on every resolved field, and by the WebSocket server when a subscription starts. */
export async function enforceFieldAccess(
  context: RequestContext,
  subgraph: string,
  parentType: GraphQLObjectType,
  fieldName: string,
  args: Record<string, unknown>,
  root: unknown,
): Promise<void> {
  const field = parentType.getFields()[fieldName] as GraphQLField<unknown, unknown> | undefined;
  const rule = field ? accessRuleOf(field) : { public: false, permission: null };
  const isRoot = ROOT_TYPES.has(parentType.name);
  // The data-subject contract answers compliance's service token, and a service token answers nothing else.
  if (isRoot && isDataSubjectField(fieldName)) return assertDataSubjectCaller(context, `${parentType.name}.${fieldName}`, args);
  if (isRoot && context.principal?.service) {
    throw new ForbiddenError(`${parentType.name}.${fieldName}: a service token answers only the data-subject fields`, {
      field: `${parentType.name}.${fieldName}`,
    });
  }
  if (rule.public || (!isRoot && !rule.permission)) return;

  const principal = context.principal;
  if (!principal) throw new UnauthenticatedError();
  const qualified = `${parentType.name}.${fieldName}`;
  if (!rule.permission) {
    throw new ForbiddenError(`${qualified} declares no permission, so it is denied to everyone`, { field: qualified });
  }
  const organizationId = principal.organizationId;
  const named = isRoot ? organizationArgument(args) : organizationOfParent(parentType.name, root);
  if (named && named.value !== organizationId) {
    throw new ForbiddenError(`${named.path}: your token is scoped to organization "${organizationId}", not "${named.value}"`, {
      field: named.path,
    });
  }
  await requirePermission(context, subgraph, qualified, rule.permission);
  // The admin IP allowlist: every mutation of an owner or admin comes from an allowed network.
  if (parentType.name === 'Mutation' && context.adminNetworks) {
    const { authorizer } = context.access;
    await context.adminNetworks.assertAllowed(principal, context.client?.ip, async () => {
      const policy = await authorizer.policyFor(organizationId);
      return ADMIN_ROLE_IDS.some((roleId) => policy.holds(principal.userId, roleId, authorizer.now()));
    });
  }
}

/** Checks one permission for the caller in their token's organization, records the decision, throws FORBIDDEN if denied. */
export async function requirePermission(context: RequestContext, subgraph: string, field: string, permission: Permission): Promise<void> {
  const principal = context.principal;
  if (!principal) throw new UnauthenticatedError();
  const { authorizer, decisions } = context.access;
  // An API key acts for its creator, within the permissions it was given (if any).
  const allowed =
    apiKeyAllows(principal, permission) &&
    (await authorizer.allows(principal.userId, principal.organizationId, permission.resource, permission.action));
  if (!allowed || decisions.mode === 'all') {
    decisions.record({
      type: 'authz.decision',
      allowed,
      userId: principal.userId,
      organizationId: principal.organizationId,
      resource: permission.resource,
      action: permission.action,
      field,
      subgraph,
      requestId: context.requestId,
      at: new Date(authorizer.now()).toISOString(),
    });
  }
  if (!allowed) {
    const wanted = formatPermission(permission);
    const byKey = principal.apiKey && !apiKeyAllows(principal, permission) ? ` (API key "${principal.apiKey.name}" was not given it)` : '';
    throw new ForbiddenError(`Permission ${wanted} is required for ${field} in organization "${principal.organizationId}"${byKey}`, {
      requiredPermission: wanted,
    });
  }
}

/** Whether the caller's API key, if it is one with a list of permissions, was given `permission`. */
export function apiKeyAllows(principal: Principal, permission: Permission): boolean {
  const granted = principal.apiKey?.permissions;
  if (!granted) return true;
  return granted.some((text) => {
    const [resource = '', action = ''] = text.split(':');
    return grantCovers({ resource, action }, permission);
  });
}

function organizationArgument(args: Record<string, unknown>): { path: string; value: string } | null {
  if (typeof args.organizationId === 'string') return { path: 'organizationId', value: args.organizationId };
  const input = args.input as Record<string, unknown> | undefined;
  if (input && typeof input.organizationId === 'string') return { path: 'input.organizationId', value: input.organizationId };
  return null;
}

function organizationOfParent(path: string, root: unknown): { path: string; value: string } | null {
  if (!root || typeof root !== 'object') return null;
  const parent = root as { id?: unknown; organizationId?: unknown };
  if (typeof parent.organizationId === 'string') return { path, value: parent.organizationId };
  if (path === 'Organization' && typeof parent.id === 'string') return { path, value: parent.id };
  return null;
}
