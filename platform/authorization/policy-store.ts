import type { DataSource } from 'typeorm';
import { policyRuleFromRow } from './policy-rule';
import type { CasbinRuleRow, PolicyRule } from './policy-rule';
import { WILDCARD } from './permissions';

/** The Casbin policy table, owned by the authz subgraph; the one table every subgraph reads. */
export const CASBIN_RULE_TABLE = 'authz.casbin_rule';

/** Where an authorizer reads one organization's policy from. */
export interface PolicySource {
  /** The permission lines of the organization and of every organization (`*`), and its role assignments. */
  loadOrganization(organizationId: string): Promise<PolicyRule[]>;
}

/**
 * Reads the policy straight from `authz.casbin_rule` through TypeORM's connection: one
 * query per organization, using the two indexes (ptype, v1) and (ptype, v2). Read-only:
 * the authz subgraph's services write the table, in the same transactions as its roles.
 */
export class DatabasePolicySource implements PolicySource {
  constructor(private readonly dataSource: DataSource) {}

  async loadOrganization(organizationId: string): Promise<PolicyRule[]> {
    const rows: CasbinRuleRow[] = await this.dataSource.query(
      `SELECT ptype, v0, v1, v2, v3 FROM ${CASBIN_RULE_TABLE}
        WHERE (ptype = 'p' AND v1 IN ($1, $2)) OR (ptype = 'g' AND v2 = $1)
        ORDER BY id`,
      [organizationId, WILDCARD],
    );
    return rows.map(policyRuleFromRow).filter((rule): rule is PolicyRule => rule !== null);
  }
}
