import { Field, ID, Int, ObjectType } from 'type-graphql';
import { SecurityEventStatus } from '../entities/security-event.entity';
import { AuditSeverity } from './enums';
import { PersonalData } from '../../../platform/personal-data/personal-data-directive';

@ObjectType('SecurityEvent', {
  description: 'What a rule over the audit stream found: repeated failed sign-ins, a burst of denials, a revoked key used, a large export.',
})
export class SecurityEventType {
  @Field(() => ID, { description: '`sev_…`' })
  id: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => String, {
    description:
      '`failed_logins_user`, `failed_logins_ip`, `permission_denials`, `revoked_api_key_used`, `large_export`, `admin_new_network`.',
  })
  rule: string;

  @Field(() => AuditSeverity)
  severity: AuditSeverity;

  @Field(() => SecurityEventStatus)
  status: SecurityEventStatus;

  @PersonalData('network')
  @Field(() => String, { description: 'What the rule counted by: `user:<id>`, `ip:<address>`, `api_key:<id>`, `export:<event id>`.' })
  subject: string;

  @PersonalData('network')
  @Field(() => String)
  summary: string;

  @Field(() => Int)
  eventCount: number;

  @Field(() => [ID], { description: 'The first audit events that made it.' })
  auditEventIds: string[];

  @Field(() => Date)
  firstSeenAt: Date;

  @Field(() => Date)
  lastSeenAt: Date;

  @Field(() => Date)
  createdAt: Date;
}
