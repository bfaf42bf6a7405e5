import { createCasbinEnforcer } from './casbin-model';
import { OrganizationPolicy } from './organization-policy';
import { allPermissions } from './permissions';
import type { PolicyRule } from './policy-rule';
import { SYSTEM_ROLES } from './system-roles';

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOW = Date.parse('2026-11-22T12:00:00Z');
const RESOURCES = [...new Set(allPermissions().map((permission) => permission.resource))];
const ACTIONS = [...new Set(allPermissions().map((permission) => permission.action))];

/** System roles for every organization, custom roles with wildcards, assignments some of them expired. */
function generatePolicy(next: () => number, organizations: string[], usersPerOrganization: number): PolicyRule[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const rules: PolicyRule[] = SYSTEM_ROLES.flatMap((role) =>
    role.permissions.map((permission) => {
      const [resource = '', action = ''] = permission.split(':');
      return { ptype: 'p' as const, subject: role.id, domain: '*', resource, action };
    }),
  );
  for (const organization of organizations) {
    const custom = Array.from({ length: 3 }, (_, index) => `role_custom_${organization}_${index}`);
    for (const role of custom) {
      for (let count = 1 + Math.floor(next() * 5); count > 0; count--) {
        rules.push({
          ptype: 'p',
          subject: role,
          domain: organization,
          resource: next() < 0.15 ? '*' : pick(RESOURCES),
          action: next() < 0.2 ? '*' : pick(ACTIONS),
        });
      }
    }
    const roles = [...SYSTEM_ROLES.map((role) => role.id), ...custom];
    for (let user = 0; user < usersPerOrganization; user++) {
      for (let count = Math.floor(next() * 3); count > 0; count--) {
        const expiry = next();
        rules.push({
          ptype: 'g',
          subject: `user_${user}`,
          role: pick(roles),
          domain: organization,
          expiresAt: expiry < 0.6 ? null : expiry < 0.8 ? NOW - 1000 : NOW + 60_000,
        });
      }
    }
  }
  return rules;
}

describe('OrganizationPolicy', () => {
  it('decides exactly as plain Casbin on every question over a generated policy set', async () => {
    const organizations = ['org_a', 'org_b', 'org_c'];
    const rules = generatePolicy(random(20261122), organizations, 30);
    const enforcer = await createCasbinEnforcer(rules, NOW);
    let decisions = 0;
    let allowed = 0;
    const disagreements: string[] = [];
    for (const organization of organizations) {
      const policy = new OrganizationPolicy(organization, rules);
      for (let user = 0; user < 31; user++) {
        for (const resource of RESOURCES) {
          for (const action of ACTIONS) {
            const fast = policy.allows(`user_${user}`, resource, action, NOW);
            const casbin = enforcer.enforceSync(`user_${user}`, organization, resource, action);
            decisions++;
            if (casbin) allowed++;
            if (fast !== casbin) disagreements.push(`user_${user} ${organization} ${resource}:${action} fast=${fast} casbin=${casbin}`);
          }
        }
      }
    }
    expect(disagreements).toEqual([]);
    // The set is not trivially all-deny or all-allow.
    expect(allowed).toBeGreaterThan(decisions * 0.1);
    expect(allowed).toBeLessThan(decisions * 0.9);
  });

  it('stops granting at the instant an assignment expires, with nothing removing it', () => {
    const expiresAt = NOW + 1000;
    const policy = new OrganizationPolicy('org_a', [
      { ptype: 'p', subject: 'role_owner', domain: '*', resource: '*', action: '*' },
      { ptype: 'g', subject: 'user_1', role: 'role_owner', domain: 'org_a', expiresAt },
    ]);
    expect(policy.allows('user_1', 'billing', 'update', expiresAt - 1)).toBe(true);
    expect(policy.allows('user_1', 'billing', 'update', expiresAt)).toBe(false);
    expect(policy.grantsOf('user_1', expiresAt).keys.size).toBe(0);
  });

  it('keeps organizations apart: an assignment in one grants nothing in another', () => {
    const rules: PolicyRule[] = [
      { ptype: 'p', subject: 'role_owner', domain: '*', resource: '*', action: '*' },
      { ptype: 'p', subject: 'role_x', domain: 'org_a', resource: 'billing', action: 'read' },
      { ptype: 'g', subject: 'user_1', role: 'role_owner', domain: 'org_a', expiresAt: null },
      { ptype: 'g', subject: 'user_2', role: 'role_x', domain: 'org_b', expiresAt: null },
    ];
    expect(new OrganizationPolicy('org_b', rules).allows('user_1', 'members', 'read', NOW)).toBe(false);
    // A custom role's permissions belong to its organization only.
    expect(new OrganizationPolicy('org_b', rules).allows('user_2', 'billing', 'read', NOW)).toBe(false);
  });

  it('explains a grant with the assignment and the permission line, and lists who can', () => {
    const policy = new OrganizationPolicy('org_a', [
      { ptype: 'p', subject: 'role_admin', domain: '*', resource: 'members', action: '*' },
      { ptype: 'g', subject: 'user_1', role: 'role_admin', domain: 'org_a', expiresAt: null },
      { ptype: 'g', subject: 'user_2', role: 'role_admin', domain: 'org_a', expiresAt: NOW - 1 },
    ]);
    expect(policy.explain('user_1', { resource: 'members', action: 'delete' }, NOW)).toEqual([
      {
        assignment: { ptype: 'g', subject: 'user_1', role: 'role_admin', domain: 'org_a', expiresAt: null },
        permission: { ptype: 'p', subject: 'role_admin', domain: '*', resource: 'members', action: '*' },
      },
    ]);
    expect(policy.usersAllowed('members', 'delete', NOW)).toEqual(['user_1']);
  });
});
