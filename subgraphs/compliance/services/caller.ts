import type { Principal } from '../../../platform/auth/principal';
import { requirePermission } from '../../../platform/access-enforcement';
import type { Permission } from '../../../platform/authorization/permissions';
import { requirePrincipal } from '../../../platform/context';
import type { RequestContext } from '../../../platform/context';

/**
 * Who calls a compliance service, and how it asks for a permission beyond the field's own
 * directive (reading someone else's consent needs `compliance:read`, recording it for them
 * `compliance:manage`): the service decides when, the platform decides whether.
 */
export interface Caller {
  principal: Principal;
  /** Throws FORBIDDEN, naming the permission, unless the caller holds it in their organization. */
  require(permission: Permission): Promise<void>;
}

/** The caller of one root field, checked and recorded by the platform's decision point like a directive. */
export function callerOf(context: RequestContext, field: string): Caller {
  return {
    principal: requirePrincipal(context),
    require: (permission) => requirePermission(context, 'compliance', field, permission),
  };
}
