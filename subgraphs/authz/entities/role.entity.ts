import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A custom role of one organization: its name and description. Its permissions are its
 * Casbin policy lines (`p, <role id>, <organization>, resource, action`). The five system
 * roles are not rows: they are defined in the platform and seeded as policy lines for `*`.
 */
@Entity({ name: 'roles' })
@Index('roles_organization_name_key', ['organizationId', 'name'], { unique: true })
export class Role {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
