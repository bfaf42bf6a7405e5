import type { Authorizer } from '../../../platform/authorization/authorizer';
import { createCasbinEnforcer } from '../../../platform/authorization/casbin-model';
import { PERMISSION_CATALOGUE, formatPermission } from '../../../platform/authorization/permissions';
import type { Permission } from '../../../platform/authorization/permissions';
import { formatPolicyRule } from '../../../platform/authorization/policy-rule';
import { BadUserInputError } from '../../../platform/errors';
import { parseId } from '../../../platform/ids';

export interface PermissionDecision {
  userId: string;
  organizationId: string;
  permission: string;
  allowed: boolean;
}

export interface PermissionExplanation extends PermissionDecision {
  /** The policy lines that produced the decision: each assignment and the role's permission line it reached. Empty when denied. */
  policyLines: string[];
  /** In words. */
  reason: string;
}

export class DecisionService {
  constructor(private readonly authorizer: Authorizer) {}

  async check(organizationId: string, userId: string, resource: string, action: string): Promise<PermissionDecision> {
    parseId('user', userId, 'userId');
    const wanted = concrete(resource, action);
    const allowed = await this.authorizer.allows(userId, organizationId, wanted.resource, wanted.action);
    return { userId, organizationId, permission: formatPermission(wanted), allowed };
  }

  /**
   * Decides with plain Casbin (the model and the stored lines, nothing of the fast path)
   * and shows its matched permission line with the assignments that reach it.
   */
  async explain(organizationId: string, userId: string, resource: string, action: string): Promise<PermissionExplanation> {
    parseId('user', userId, 'userId');
    const wanted = concrete(resource, action);
    const policy = await this.authorizer.policyFor(organizationId);
    const now = this.authorizer.now();
    const enforcer = await createCasbinEnforcer(policy.rules, now);
    const [allowed, matched] = enforcer.enforceExSync(userId, organizationId, wanted.resource, wanted.action);
    const reasons = policy.explain(userId, wanted, now);
    const lines = allowed
      ? [...new Set(reasons.flatMap(({ assignment, permission }) => [formatPolicyRule(assignment), formatPolicyRule(permission)]))]
      : [];
    const permission = formatPermission(wanted);
    const reason = allowed
      ? `Allowed: ${[...new Set(reasons.map(({ assignment }) => assignment.role))].join(', ')} grant${reasons.length === 1 ? 's' : ''} ${permission} (Casbin matched: p, ${matched.join(', ')})`
      : policy.assignmentsOf(userId).length === 0
        ? `Denied: ${userId} holds no role in ${organizationId}`
        : policy.activeAssignments(userId, now).length === 0
          ? `Denied: every role ${userId} held in ${organizationId} has expired`
          : `Denied: none of ${policy
              .activeAssignments(userId, now)
              .map((rule) => rule.role)
              .join(', ')} grants ${permission}`;
    return { userId, organizationId, permission, allowed, policyLines: lines, reason };
  }

  /** The user's effective permissions in the organization now, `resource:action` with wildcards as granted. */
  async permissionsOf(organizationId: string, userId: string): Promise<string[]> {
    parseId('user', userId, 'userId');
    const policy = await this.authorizer.policyFor(organizationId);
    return [...policy.grantsOf(userId, this.authorizer.now()).keys].sort();
  }

  async whoCan(organizationId: string, resource: string, action: string): Promise<string[]> {
    const wanted = concrete(resource, action);
    const policy = await this.authorizer.policyFor(organizationId);
    return policy.usersAllowed(wanted.resource, wanted.action, this.authorizer.now());
  }
}

/** A question is about one concrete, catalogued permission: no wildcards. */
function concrete(resource: string, action: string): Permission {
  const actions = (PERMISSION_CATALOGUE as Record<string, readonly string[]>)[resource];
  if (!actions) {
    throw new BadUserInputError(
      `resource: unknown resource "${resource}"; one of ${Object.keys(PERMISSION_CATALOGUE).join(', ')}`,
      'resource',
    );
  }
  if (!actions.includes(action)) {
    throw new BadUserInputError(`action: "${resource}" has no action "${action}"; one of ${actions.join(', ')}`, 'action');
  }
  return { resource, action };
}
