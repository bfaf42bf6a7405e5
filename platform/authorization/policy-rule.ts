/**
 * One line of the Casbin policy, as stored in `authz.casbin_rule` (ptype, v0…v3):
 *   p, <role>, <organization or *>, <resource or *>, <action or *>
 *   g, <user>, <role>, <organization>[, <expires at, ISO 8601>]
 */
export type PolicyRule =
  | { ptype: 'p'; subject: string; domain: string; resource: string; action: string }
  | { ptype: 'g'; subject: string; role: string; domain: string; expiresAt: number | null };

export interface CasbinRuleRow {
  ptype: string;
  v0: string | null;
  v1: string | null;
  v2: string | null;
  v3: string | null;
}

/** Reads a stored row; rows of other shapes (another model's) are skipped. */
export function policyRuleFromRow(row: CasbinRuleRow): PolicyRule | null {
  if (row.ptype === 'p' && row.v0 && row.v1 && row.v2 && row.v3) {
    return { ptype: 'p', subject: row.v0, domain: row.v1, resource: row.v2, action: row.v3 };
  }
  if (row.ptype === 'g' && row.v0 && row.v1 && row.v2) {
    const expiresAt = row.v3 ? Date.parse(row.v3) : null;
    return { ptype: 'g', subject: row.v0, role: row.v1, domain: row.v2, expiresAt: Number.isNaN(expiresAt) ? 0 : expiresAt };
  }
  return null;
}

/** The line as Casbin's CSV form shows it, for explanations and logs. */
export function formatPolicyRule(rule: PolicyRule): string {
  if (rule.ptype === 'p') return `p, ${rule.subject}, ${rule.domain}, ${rule.resource}, ${rule.action}`;
  const expiry = rule.expiresAt === null ? '' : `, ${new Date(rule.expiresAt).toISOString()}`;
  return `g, ${rule.subject}, ${rule.role}, ${rule.domain}${expiry}`;
}
