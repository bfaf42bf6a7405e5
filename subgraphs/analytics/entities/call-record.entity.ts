import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One call as a media server reported it: started (`startCall`), then ended with its
 * network figures (`endCall`), or sent whole (`recordCall`). The call id is the caller's and
 * counts once per organization; quality (R, MOS, band, degraded) is computed when it ends.
 */
@Entity({ name: 'call_records' })
@Index('call_records_organization_started_idx', ['organizationId', 'startedAt'])
@Index('call_records_organization_ended_idx', ['organizationId', 'endedAt'])
@Index('call_records_active_idx', ['organizationId', 'startedAt'], { where: 'ended_at IS NULL' })
export class CallRecord {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @PrimaryColumn({ name: 'call_id', type: 'varchar', length: 128 })
  callId: string;

  /** Who took part: identity's user ids, or the media server's ids of external parties. */
  @Column({ type: 'varchar', array: true, default: () => "'{}'" })
  participants: string[];

  @Column({ type: 'varchar', length: 32 })
  codec: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  /** Whole minutes billed: the duration rounded up, at least one. */
  @Column({ name: 'billed_minutes', type: 'integer', nullable: true })
  billedMinutes: number | null;

  @Column({ name: 'rtt_ms', type: 'double precision', nullable: true })
  rttMs: number | null;

  @Column({ name: 'jitter_ms', type: 'double precision', nullable: true })
  jitterMs: number | null;

  @Column({ name: 'packet_loss_percent', type: 'double precision', nullable: true })
  packetLossPercent: number | null;

  /** Seconds in which anyone spoke (voice activity), when the media server measures it. */
  @Column({ name: 'speaking_seconds', type: 'integer', nullable: true })
  speakingSeconds: number | null;

  /** What the call cost to carry, in micro-dollars (media and network), as reported. */
  @Column({ name: 'cost_micros', type: 'bigint', nullable: true })
  costMicros: string | null;

  @Column({ name: 'r_factor', type: 'double precision', nullable: true })
  rFactor: number | null;

  @Column({ type: 'double precision', nullable: true })
  mos: number | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  quality: string | null;

  @Column({ type: 'boolean', nullable: true })
  degraded: boolean | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
