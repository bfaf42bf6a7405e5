import { Field, ID, InputType } from 'type-graphql';
import { AuditActorInput } from './audit-actor.input';
import { AuditTargetInput } from './audit-target.input';
import { AuditOutcome, AuditSeverity } from './enums';
import { JSONObjectScalar } from './json-object.scalar';

@InputType('AuditEventInput', { description: 'One event to record. The same `id` again is recorded once.' })
export class AuditEventInput {
  @Field(() => ID, { nullable: true, description: '`aud_…` chosen by the writer so a retry is recorded once; assigned when absent.' })
  id?: string | null;

  @Field(() => ID)
  organizationId: string;

  @Field(() => AuditActorInput)
  actor: AuditActorInput;

  @Field(() => String, { description: '`resource.verb`, lower case, such as `billing.subscription.cancel`.' })
  action: string;

  @Field(() => AuditSeverity, { defaultValue: AuditSeverity.INFO })
  severity: AuditSeverity;

  @Field(() => AuditOutcome, { defaultValue: AuditOutcome.SUCCESS })
  outcome: AuditOutcome;

  @Field(() => [AuditTargetInput], { defaultValue: [], description: 'At most 20.' })
  targets: AuditTargetInput[];

  @Field(() => String, { nullable: true })
  requestId?: string | null;

  @Field(() => String, { nullable: true, description: 'IPv4 or IPv6.' })
  ip?: string | null;

  @Field(() => String, { nullable: true })
  userAgent?: string | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'At most 16 KB of JSON; secrets are redacted.' })
  request?: Record<string, unknown> | null;

  @Field(() => JSONObjectScalar, { nullable: true })
  response?: Record<string, unknown> | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: '`{ field: { old, new } }`; secrets are redacted.' })
  changes?: Record<string, unknown> | null;

  @Field(() => JSONObjectScalar, { nullable: true })
  metadata?: Record<string, unknown> | null;

  @Field(() => Date, { nullable: true, description: 'When it happened; now when absent.' })
  occurredAt?: Date | null;
}
