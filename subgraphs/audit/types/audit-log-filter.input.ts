import { Field, ID, InputType } from 'type-graphql';
import { AuditActorType, AuditOutcome, AuditSeverity } from './enums';

@InputType('AuditLogFilter', { description: 'Every part optional; an event must match all given.' })
export class AuditLogFilterInput {
  @Field(() => ID, { nullable: true })
  actorId?: string | null;

  @Field(() => AuditActorType, { nullable: true })
  actorType?: AuditActorType | null;

  @Field(() => String, { nullable: true, description: '`billing.` matches every billing action.' })
  actionPrefix?: string | null;

  @Field(() => String, { nullable: true })
  targetType?: string | null;

  @Field(() => ID, { nullable: true })
  targetId?: string | null;

  @Field(() => [AuditSeverity], { nullable: true })
  severities?: AuditSeverity[] | null;

  @Field(() => [AuditOutcome], { nullable: true })
  outcomes?: AuditOutcome[] | null;

  @Field(() => Date, { nullable: true, description: 'Recorded at or after.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Recorded at or before.' })
  to?: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Text in the action, actor or a target id (case-insensitive, at most 100 characters).',
  })
  search?: string | null;
}
