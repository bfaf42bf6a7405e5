import { Column, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Compliance's copy of authz's role assignments, kept from authz's `authz.role.assigned` and
 * `authz.role.unassigned` facts (it never reads authz's tables): who holds which role in which
 * organization. A role taken away stays as a row (`active` false), so a late, older fact cannot
 * bring it back.
 */
@Entity({ name: 'role_assignments' })
@Index('role_assignments_active_idx', ['organizationId', 'userId'], { where: 'active' })
export class ComplianceRoleAssignment {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @PrimaryColumn({ name: 'role_id', type: 'varchar', length: 64 })
  roleId: string;

  @Column({ type: 'boolean' })
  active: boolean;

  /** Null: until taken away. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** The sequence of the authz fact this row reflects: only a later one changes it. */
  @Column({ name: 'source_sequence', type: 'bigint' })
  sourceSequence: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
