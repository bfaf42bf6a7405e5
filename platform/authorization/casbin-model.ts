import { newEnforcer, newModelFromString } from 'casbin';
import type { Enforcer } from 'casbin';
import type { PolicyRule } from './policy-rule';

/**
 * RBAC with domains: a user holds roles in an organization (`g, user, role, org`), a role
 * holds permissions in an organization or in every one (`p, role, org | *, resource, action`).
 * `*` as a policy's resource or action matches any. Role assignments carry an optional
 * expiry in a fourth field that Casbin ignores; expired ones are left out before Casbin
 * sees them (node-casbin has no time-bound roles).
 */
export const CASBIN_MODEL = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && (p.dom == r.dom || p.dom == "*") && (p.obj == r.obj || p.obj == "*") && (p.act == r.act || p.act == "*")
`;

/** A plain Casbin enforcer over `rules`, leaving out assignments expired at `now`. */
export async function createCasbinEnforcer(rules: readonly PolicyRule[], now = Date.now()): Promise<Enforcer> {
  const enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL));
  const policies = rules.filter((rule) => rule.ptype === 'p').map((rule) => [rule.subject, rule.domain, rule.resource, rule.action]);
  const assignments = rules.flatMap((rule) =>
    rule.ptype === 'g' && (rule.expiresAt === null || rule.expiresAt > now) ? [[rule.subject, rule.role, rule.domain]] : [],
  );
  if (policies.length > 0) await enforcer.addPolicies(policies);
  if (assignments.length > 0) await enforcer.addGroupingPolicies(assignments);
  return enforcer;
}
