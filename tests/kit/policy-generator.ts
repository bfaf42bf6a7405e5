import { allPermissions } from '../../platform/authorization/permissions';
import type { PolicyRule } from '../../platform/authorization/policy-rule';
import { SYSTEM_ROLES } from '../../platform/authorization/system-roles';

/** A small deterministic generator (mulberry32): the same seed, the same policy, so a failure reproduces. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CATALOGUED = allPermissions();

/**
 * The five system roles (domain `*`), and per organization `org_<o>`: three custom roles
 * with one to five permissions (wildcards now and then), and users `user_<o>_<u>` with
 * one role each and a second one for some, of which some have expired at `now` and some
 * expire later.
 */
export function generatePolicy(options: { organizations: number; usersPerOrganization: number; now: number; seed: number }): PolicyRule[] {
  const next = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const rules: PolicyRule[] = SYSTEM_ROLES.flatMap((role) =>
    role.permissions.map((permission) => {
      const [resource = '', action = ''] = permission.split(':');
      return { ptype: 'p' as const, subject: role.id, domain: '*', resource, action };
    }),
  );
  for (let o = 0; o < options.organizations; o++) {
    const organization = `org_${o}`;
    const custom = [0, 1, 2].map((index) => `role_c${o}_${index}`);
    for (const role of custom) {
      for (let count = 1 + Math.floor(next() * 5); count > 0; count--) {
        const permission = pick(CATALOGUED);
        rules.push({
          ptype: 'p',
          subject: role,
          domain: organization,
          resource: next() < 0.1 ? '*' : permission.resource,
          action: next() < 0.2 ? '*' : permission.action,
        });
      }
    }
    const roles = [...SYSTEM_ROLES.map((role) => role.id), ...custom];
    for (let u = 0; u < options.usersPerOrganization; u++) {
      rules.push({ ptype: 'g', subject: `user_${o}_${u}`, role: pick(roles), domain: organization, expiresAt: null });
      const second = next();
      if (second < 0.3) {
        const expiresAt = second < 0.15 ? options.now - 1000 : options.now + 3_600_000;
        rules.push({ ptype: 'g', subject: `user_${o}_${u}`, role: pick(roles), domain: organization, expiresAt });
      }
    }
  }
  return rules;
}
