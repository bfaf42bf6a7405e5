import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export enum DataSubjectRequestType {
  /** GDPR Art. 15 (access) and Art. 20 (portability): a copy of the person's data, in a file. */
  EXPORT = 'export',
  /** GDPR Art. 17: erasure, of everything or of chosen categories. */
  DELETION = 'deletion',
  /** GDPR Art. 16: correction of inaccurate data. */
  RECTIFICATION = 'rectification',
}

export enum DataSubjectRequestStatus {
  RECEIVED = 'received',
  IN_PROGRESS = 'in_progress',
  AWAITING_APPROVAL = 'awaiting_approval',
  COMPLETED = 'completed',
  REJECTED = 'rejected',
}

export enum Regulation {
  GDPR = 'gdpr',
  HIPAA = 'hipaa',
}

export enum ExportFormat {
  JSON = 'json',
  CSV = 'csv',
  PDF = 'pdf',
}

/**
 * A person's request about their data in one organization (a data-subject request), from
 * receipt to completion or rejection. Kept after completion: it is how the organization shows
 * it answered (GDPR Art. 5(2)), and it names the person by id only.
 */
@Entity({ name: 'data_subject_requests' })
@Index('data_subject_requests_organization_idx', ['organizationId', 'receivedAt'])
@Index('data_subject_requests_open_idx', ['status', 'dueAt'], { where: "status IN ('received', 'in_progress', 'awaiting_approval')" })
export class DataSubjectRequest {
  /** `dsr_…` */
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  /** The person the request is about. */
  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  /** Who made it: the person, or an owner or admin for them. */
  @Column({ name: 'requested_by_id', type: 'varchar', length: 64 })
  requestedById: string;

  @Column({ type: 'varchar', length: 16 })
  type: DataSubjectRequestType;

  @Column({ type: 'varchar', length: 24 })
  status: DataSubjectRequestStatus;

  @Column({ type: 'varchar', length: 8 })
  regulation: Regulation;

  /** An export's file format. */
  @Column({ type: 'varchar', length: 8, nullable: true })
  format: ExportFormat | null;

  /** A deletion's categories of personal data; null: all of them. */
  @Column({ type: 'varchar', array: true, nullable: true })
  categories: string[] | null;

  /** What the person says: which data is wrong and how it should read (rectification), or anything they add. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  details: string | null;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  /** When it must be answered by: the regulation's period from receipt, or later once extended. */
  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt: Date;

  @Column({ name: 'extended_at', type: 'timestamptz', nullable: true })
  extendedAt: Date | null;

  @Column({ name: 'extension_reason', type: 'varchar', length: 1000, nullable: true })
  extensionReason: string | null;

  /** Who approved or rejected it, when and why. */
  @Column({ name: 'decided_by_id', type: 'varchar', length: 64, nullable: true })
  decidedById: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'decision_note', type: 'varchar', length: 1000, nullable: true })
  decisionNote: string | null;

  /** A deletion waiting for the legal holds on the person to be released. */
  @Column({ name: 'held', type: 'boolean', default: false })
  held: boolean;

  @Column({ name: 'progress_done', type: 'integer', default: 0 })
  progressDone: number;

  @Column({ name: 'progress_total', type: 'integer', default: 0 })
  progressTotal: number;

  /** What processing did: records exported or erased per subgraph. */
  @Column({ type: 'jsonb', nullable: true })
  result: Record<string, unknown> | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  /** An export's file: its size, and when its one download happened. */
  @Column({ name: 'file_bytes', type: 'bigint', nullable: true })
  fileBytes: string | null;

  @Column({ name: 'downloaded_at', type: 'timestamptz', nullable: true })
  downloadedAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
