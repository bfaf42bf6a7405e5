import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { CallRecord } from './call-record.entity';

/** Where a recording is in its processing: transcribed, then summarised; failed once its attempts are spent. */
export enum RecordingStatus {
  PENDING = 'pending',
  TRANSCRIBING = 'transcribing',
  TRANSCRIBED = 'transcribed',
  SUMMARISED = 'summarised',
  FAILED = 'failed',
}

/**
 * The audio of one call of the organization, kept where the media server stored it
 * (`storageUrl`), and what the jobs made of it: the transcript (`analytics.transcribe-recordings`),
 * the call's quality (`analytics.analyse-recordings`) and a summary (`analytics.summarise-recordings`).
 * `claimedAt` is when a run took it (transcribing, or summarising while transcribed), so a run
 * that died is taken over once its claim is older than the jobs' timeout.
 */
@Entity({ name: 'recordings' })
@Index('recordings_organization_created_idx', ['organizationId', 'createdAt'])
@Index('recordings_organization_call_idx', ['organizationId', 'callId'])
@Index('recordings_status_created_idx', ['status', 'createdAt'])
export class Recording {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ name: 'call_id', type: 'varchar', length: 128 })
  callId: string;

  @ManyToOne(() => CallRecord, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'organization_id', referencedColumnName: 'organizationId' },
    { name: 'call_id', referencedColumnName: 'callId' },
  ])
  call?: CallRecord;

  @Column({ name: 'storage_url', type: 'varchar', length: 2048 })
  storageUrl: string;

  @Column({ name: 'duration_seconds', type: 'double precision' })
  durationSeconds: number;

  @Column({ type: 'varchar', length: 16, default: RecordingStatus.PENDING })
  status: RecordingStatus;

  @Column({ type: 'text', nullable: true })
  transcript: string | null;

  @Column({ type: 'text', nullable: true })
  summary: string | null;

  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError: string | null;

  /** Failed tries of the current step (transcription or summary); back to 0 when a step succeeds. */
  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt: Date | null;

  @Column({ name: 'transcribed_at', type: 'timestamptz', nullable: true })
  transcribedAt: Date | null;

  @Column({ name: 'summarised_at', type: 'timestamptz', nullable: true })
  summarisedAt: Date | null;

  /** The call's quality as the analysis found it (ITU-T G.107 E-model, from the call record). */
  @Column({ name: 'r_factor', type: 'double precision', nullable: true })
  rFactor: number | null;

  @Column({ type: 'double precision', nullable: true })
  mos: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  quality: string | null;

  @Column({ type: 'boolean', nullable: true })
  degraded: boolean | null;

  @Column({ name: 'analysed_at', type: 'timestamptz', nullable: true })
  analysedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
