import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A legal hold on one person's data in an organization, or on the whole organization's
 * (`userId` null): while it is active nothing it covers may be deleted. Holds are never
 * deleted; a released one keeps who released it, when and why.
 */
@Entity({ name: 'legal_holds' })
@Index('legal_holds_organization_placed_idx', ['organizationId', 'placedAt'])
@Index('legal_holds_active_idx', ['organizationId', 'userId'], { where: 'released_at IS NULL' })
export class LegalHold {
  /** `hold_…` */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  /** The person whose data is held; null: the whole organization's. */
  @Column({ name: 'user_id', type: 'varchar', length: 64, nullable: true })
  userId: string | null;

  @Column({ type: 'varchar', length: 1000 })
  reason: string;

  /** The matter it is for, as the legal team names it (a case or ticket number). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  reference: string | null;

  @Column({ name: 'placed_by_id', type: 'varchar', length: 64 })
  placedById: string;

  @CreateDateColumn({ name: 'placed_at', type: 'timestamptz' })
  placedAt: Date;

  @Column({ name: 'released_at', type: 'timestamptz', nullable: true })
  releasedAt: Date | null;

  @Column({ name: 'released_by_id', type: 'varchar', length: 64, nullable: true })
  releasedById: string | null;

  @Column({ name: 'release_note', type: 'varchar', length: 1000, nullable: true })
  releaseNote: string | null;
}
