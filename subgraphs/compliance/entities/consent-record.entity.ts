import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export enum ConsentState {
  GRANTED = 'granted',
  WITHDRAWN = 'withdrawn',
}

/** Where a consent came from: the person in the product (`web`), a client of the API (`api`), or records brought in for them (`import`). */
export enum ConsentSource {
  WEB = 'web',
  API = 'api',
  IMPORT = 'import',
}

/**
 * One statement of a person's consent to one purpose: given or withdrawn, under which
 * notice, when and from where. Rows are only ever added (GDPR Art. 7(1): the controller must
 * be able to show that consent was given); the current state of a (user, purpose) is its
 * latest row by `at`, then id.
 */
@Entity({ name: 'consent_records' })
@Index('consent_records_subject_idx', ['organizationId', 'userId', 'purpose', 'at'])
@Index('consent_records_organization_purpose_idx', ['organizationId', 'purpose'])
export class ConsentRecord {
  /** `cns_…`, sortable by creation. */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ type: 'varchar', length: 64 })
  purpose: string;

  @Column({ type: 'varchar', length: 16 })
  state: ConsentState;

  /** The version of the notice the person was shown; a withdrawal keeps the one of the consent it withdraws. */
  @Column({ name: 'notice_version', type: 'varchar', length: 64, nullable: true })
  noticeVersion: string | null;

  @Column({ type: 'varchar', length: 16 })
  source: ConsentSource;

  /** When the person gave or withdrew it: now, or for an import the time the records say. */
  @Column({ type: 'timestamptz' })
  at: Date;

  /** Who recorded it: the person themself, or the owner or admin who imported it. */
  @Column({ name: 'recorded_by_id', type: 'varchar', length: 64 })
  recordedById: string;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;
}
