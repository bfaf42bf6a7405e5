import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The Casbin policy, in Casbin's own table layout (ptype, v0…v5), so Casbin's tooling
 * reads it as it is. The authz subgraph writes it; every subgraph's authorizer reads it.
 * See platform/authorization/policy-rule.ts for what each column holds.
 */
@Entity({ name: 'casbin_rule' })
@Index('casbin_rule_ptype_v1_idx', ['ptype', 'v1'])
@Index('casbin_rule_ptype_v2_idx', ['ptype', 'v2'])
@Index('casbin_rule_assignment_key', ['v0', 'v1', 'v2'], { unique: true, where: `ptype = 'g'` })
@Index('casbin_rule_permission_key', ['v0', 'v1', 'v2', 'v3'], { unique: true, where: `ptype = 'p'` })
export class CasbinRule {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 8 })
  ptype: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  v0: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  v1: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  v2: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  v3: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  v4: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  v5: string | null;
}
