import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** What is metered. AI calls are counted by feature and share one allowance; API calls count against none. */
export enum UsageMetric {
  CALL_MINUTES = 'call_minutes',
  AI_STT = 'ai_stt',
  AI_TTS = 'ai_tts',
  AI_AGENTS = 'ai_agents',
  RECORDING_STORAGE_GB = 'recording_storage_gb',
  /** Partner API keys' calls of manifest operations, metered by the gateway. */
  API_CALLS = 'api_calls',
}
registerEnumType(UsageMetric, {
  name: 'UsageMetric',
  description:
    "What is metered: call minutes, AI calls by feature (speech-to-text, text-to-speech, agents), recording GB written, and partner API keys' operation calls (metered by the gateway).",
});

/** One metered use, counted once per `(organization, idempotencyKey)`. */
@Entity({ name: 'usage_records' })
@Index('usage_records_idempotency_key', ['organizationId', 'idempotencyKey'], { unique: true })
@Index('usage_records_organization_occurred_at_idx', ['organizationId', 'occurredAt'])
@ObjectType('UsageRecord', { description: 'One metered use, counted once per idempotency key.' })
export class UsageRecord {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  @Field(() => ID, { description: 'Usage record id, `ur_…`.' })
  id: string;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  @Field(() => ID)
  organizationId: string;

  @Column({ type: 'enum', enum: UsageMetric, enumName: 'usage_metric' })
  @Field(() => UsageMetric)
  metric: UsageMetric;

  @Column({ type: 'integer' })
  @Field(() => Int)
  quantity: number;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  @Field(() => Date)
  occurredAt: Date;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200 })
  @Field(() => String)
  idempotencyKey: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
