import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One use of an AI feature (speech-to-text, text-to-speech, an agent), counted once per
 * organization and id. Money is integer micro-dollars: `reportedCostMicros` as sent (kept
 * for the idempotency check), `costMicros` as counted (the reported cost, or the price list's
 * when none was sent: the `analytics.calculate-ai-costs` job fills it in).
 */
@Entity({ name: 'ai_usage_events' })
@Index('ai_usage_events_organization_occurred_idx', ['organizationId', 'occurredAt'])
@Index('ai_usage_events_organization_user_idx', ['organizationId', 'userId', 'occurredAt', 'id'])
@Index('ai_usage_events_unpriced_idx', ['occurredAt'], { where: 'cost_micros IS NULL' })
export class AiUsageEvent {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  id: string;

  @Column({ type: 'varchar', length: 16 })
  feature: string;

  @Column({ type: 'varchar', length: 100 })
  model: string;

  @Column({ name: 'user_id', type: 'varchar', length: 128, nullable: true })
  userId: string | null;

  @Column({ name: 'call_id', type: 'varchar', length: 128, nullable: true })
  callId: string | null;

  @Column({ type: 'integer', nullable: true })
  tokens: number | null;

  @Column({ type: 'double precision', nullable: true })
  seconds: number | null;

  @Column({ name: 'reported_cost_micros', type: 'bigint', nullable: true })
  reportedCostMicros: string | null;

  @Column({ name: 'cost_micros', type: 'bigint', nullable: true })
  costMicros: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
