import { createCasbinEnforcer } from './casbin-model';
import { OrganizationPolicy } from './organization-policy';
import { CATALOGUED, generatePolicy } from '../../tests/kit/policy-generator';
import type { PolicyRule } from './policy-rule';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const RESOURCES = [...new Set(CATALOGUED.map((permission) => permission.resource))];
const ACTIONS = [...new Set(CATALOGUED.map((permission) => permission.action))];

describe('OrganizationPolicy', () => {
  it('decides exactly as plain Casbin on every question over a generated policy set', async () => {
    const organizations = ['org_0', 'org_1', 'org_2'];
    const rules = generatePolicy({ organizations: 3, usersPerOrganization: 30, now: NOW, seed: 20261122 });
    const enforcer = await createCasbinEnforcer(rules, NOW);
    let decisions = 0;
    let allowed = 0;
    const disagreements: string[] = [];
    for (const organization of organizations) {
      const policy = new OrganizationPolicy(organization, rules);
      for (let user = 0; user < 31; user++) {
        for (const resource of RESOURCES) {
          for (const action of ACTIONS) {
            // Users of every organization are asked about in every organization: they hold nothing outside their own.
            const subject = `user_${user % 3}_${user}`;
            const fast = policy.allows(subject, resource, action, NOW);
            const casbin = enforcer.enforceSync(subject, organization, resource, action);
            decisions++;
            if (casbin) allowed++;
            if (fast !== casbin) disagreements.push(`${subject} ${organization} ${resource}:${action} fast=${fast} casbin=${casbin}`);
          }
        }
      }
    }
    expect(disagreements).toEqual([]);
    // The set is not trivially all-deny or all-allow.
    expect(allowed).toBeGreaterThan(decisions * 0.05);
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
