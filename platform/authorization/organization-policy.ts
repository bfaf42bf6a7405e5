import { WILDCARD, formatPermission, grantCovers } from './permissions';
import type { Permission } from './permissions';
import type { PolicyRule } from './policy-rule';

type PermissionRule = Extract<PolicyRule, { ptype: 'p' }>;
type AssignmentRule = Extract<PolicyRule, { ptype: 'g' }>;

export interface EffectiveGrants {
  /** `resource:action` keys, wildcards as written: a decision is at most four set lookups. */
  keys: Set<string>;
  /** The instant the first contributing assignment expires (Infinity if none does). */
  validUntil: number;
}

/**
 * One organization's policy, indexed for decisions. Casbin evaluates its matcher against
 * every policy line on each call; here a user's effective permissions are compiled once
 * (per policy version, and again when one of their assignments expires) into a set, so a
 * decision is a few hash lookups. It decides exactly as the Casbin model in
 * casbin-model.ts does over the same rules (checked by a test over generated policies).
 */
export class OrganizationPolicy {
  private readonly permissionsByRole = new Map<string, PermissionRule[]>();
  private readonly assignmentsByUser = new Map<string, AssignmentRule[]>();
  private readonly grantsByUser = new Map<string, EffectiveGrants>();

  constructor(
    readonly organizationId: string,
    readonly rules: readonly PolicyRule[],
  ) {
    for (const rule of rules) {
      if (rule.ptype === 'p') {
        if (rule.domain !== organizationId && rule.domain !== WILDCARD) continue;
        push(this.permissionsByRole, rule.subject, rule);
      } else if (rule.domain === organizationId) {
        push(this.assignmentsByUser, rule.subject, rule);
      }
    }
  }

  allows(userId: string, resource: string, action: string, now = Date.now()): boolean {
    const { keys } = this.grantsOf(userId, now);
    return (
      keys.has(`${resource}:${action}`) ||
      keys.has(`${resource}:${WILDCARD}`) ||
      keys.has(`${WILDCARD}:${action}`) ||
      keys.has(`${WILDCARD}:${WILDCARD}`)
    );
  }

  grantsOf(userId: string, now = Date.now()): EffectiveGrants {
    const cached = this.grantsByUser.get(userId);
    if (cached && now < cached.validUntil) return cached;
    const keys = new Set<string>();
    let validUntil = Number.POSITIVE_INFINITY;
    // As in Casbin, a policy line may name the user directly (g(user, user) holds).
    for (const permission of this.permissionsByRole.get(userId) ?? []) keys.add(formatPermission(permission));
    for (const assignment of this.activeAssignments(userId, now)) {
      if (assignment.expiresAt !== null) validUntil = Math.min(validUntil, assignment.expiresAt);
      for (const permission of this.permissionsByRole.get(assignment.role) ?? []) {
        keys.add(formatPermission(permission));
      }
    }
    const grants = { keys, validUntil };
    this.grantsByUser.set(userId, grants);
    return grants;
  }

  /** The user's assignments in force at `now`. */
  activeAssignments(userId: string, now = Date.now()): AssignmentRule[] {
    return (this.assignmentsByUser.get(userId) ?? []).filter((rule) => rule.expiresAt === null || rule.expiresAt > now);
  }

  /** Every assignment, including expired ones (they stay until revoked, granting nothing). */
  assignmentsOf(userId: string): readonly AssignmentRule[] {
    return this.assignmentsByUser.get(userId) ?? [];
  }

  permissionsOfRole(roleId: string): readonly PermissionRule[] {
    return this.permissionsByRole.get(roleId) ?? [];
  }

  /** Whether the user holds `roleId` at `now`. */
  holds(userId: string, roleId: string, now = Date.now()): boolean {
    return this.activeAssignments(userId, now).some((assignment) => assignment.role === roleId);
  }

  /** The users holding `roleId` with no expiry: the ones a rule such as "the last owner" can count on. */
  permanentHolders(roleId: string): string[] {
    return [...this.assignmentsByUser.entries()]
      .filter(([, assignments]) => assignments.some((assignment) => assignment.role === roleId && assignment.expiresAt === null))
      .map(([userId]) => userId)
      .sort();
  }

  /**
   * The permissions in `wanted` the user does not hold at `now`. A wildcard in the question
   * asks for a grant at least as wide (`billing:*` needs `billing:*` or `*:*`).
   */
  missing(userId: string, wanted: readonly Permission[], now = Date.now()): Permission[] {
    return wanted.filter(({ resource, action }) => !this.allows(userId, resource, action, now));
  }

  /** The users holding, at `now`, a role that grants `resource:action`. */
  usersAllowed(resource: string, action: string, now = Date.now()): string[] {
    return [...this.assignmentsByUser.keys()].filter((userId) => this.allows(userId, resource, action, now)).sort();
  }

  /** The policy lines that grant `resource:action` to the user at `now`: an assignment and the role's permission line. */
  explain(userId: string, wanted: Permission, now = Date.now()): { assignment: AssignmentRule; permission: PermissionRule }[] {
    return this.activeAssignments(userId, now).flatMap((assignment) =>
      this.permissionsOfRole(assignment.role)
        .filter((permission) => grantCovers(permission, wanted))
        .map((permission) => ({ assignment, permission })),
    );
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
