import type { Authorizer } from '../../../platform/authorization/authorizer';
import { createCasbinEnforcer } from '../../../platform/authorization/casbin-model';
import { PERMISSION_CATALOGUE, formatPermission } from '../../../platform/authorization/permissions';
import type { Permission } from '../../../platform/authorization/permissions';
import { formatPolicyRule } from '../../../platform/authorization/policy-rule';
import { BadUserInputError } from '../../../platform/errors';
import { parseId } from '../../../platform/ids';
import type { MembershipService } from './membership.service';

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

/**
 * Answers about what users may do now. Only an active member may do anything: a role line
 * left for someone suspended, removed or never a member grants nothing here (and access
 * itself is refused at authentication).
 */
export class DecisionService {
  constructor(
    private readonly authorizer: Authorizer,
    private readonly memberships: MembershipService,
  ) {}

  async check(organizationId: string, userId: string, resource: string, action: string): Promise<PermissionDecision> {
    parseId('user', userId, 'userId');
    const wanted = concrete(resource, action);
    const allowed =
      (await this.authorizer.allows(userId, organizationId, wanted.resource, wanted.action)) &&
      (await this.isActiveMember(organizationId, userId));
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
    const [granted, matched] = enforcer.enforceExSync(userId, organizationId, wanted.resource, wanted.action);
    const member = await this.isActiveMember(organizationId, userId);
    const allowed = granted && member;
    const reasons = policy.explain(userId, wanted, now);
    const lines = allowed
      ? [...new Set(reasons.flatMap(({ assignment, permission }) => [formatPolicyRule(assignment), formatPolicyRule(permission)]))]
      : [];
    const permission = formatPermission(wanted);
    const reason = allowed
      ? `Allowed: ${[...new Set(reasons.map(({ assignment }) => assignment.role))].join(', ')} grant${reasons.length === 1 ? 's' : ''} ${permission} (Casbin matched: p, ${matched.join(', ')})`
      : !member
        ? `Denied: ${userId} is not an active member of ${organizationId}`
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
    if (!(await this.isActiveMember(organizationId, userId))) return [];
    const policy = await this.authorizer.policyFor(organizationId);
    return [...policy.grantsOf(userId, this.authorizer.now()).keys].sort();
  }

  /** Active members only: nobody else can act, and every id answered is a member identity resolves. */
  async whoCan(organizationId: string, resource: string, action: string): Promise<string[]> {
    const wanted = concrete(resource, action);
    const policy = await this.authorizer.policyFor(organizationId);
    const holders = policy.usersAllowed(wanted.resource, wanted.action, this.authorizer.now());
    const members = await this.memberships.activeAmong(organizationId, holders);
    return holders.filter((userId) => members.has(userId));
  }

  private async isActiveMember(organizationId: string, userId: string): Promise<boolean> {
    return (await this.memberships.statusOf(organizationId, userId)) === 'active';
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
