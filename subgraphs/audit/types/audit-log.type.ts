import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { AuditEvent } from '../services/audit-event';
import { AuditActorType, AuditOutcome, AuditSeverity } from './enums';
import { AuditOrganizationReference, AuditUserReference } from './federated-entities.type';
import { JSONObjectScalar } from './json-object.scalar';
import { PersonalData } from '../../../platform/personal-data/personal-data-directive';

@ObjectType('AuditActor', { description: 'Who acted, as recorded at the time; `user` is the person as they are now.' })
export class AuditActorObject {
  @Field(() => AuditActorType)
  type: AuditActorType;

  @Field(() => String, { nullable: true, description: '`user_…`, an API key id, or the subgraph for the system.' })
  id: string | null;

  @PersonalData('identity')
  @Field(() => String, { nullable: true, description: 'The name given when recorded.' })
  displayName: string | null;

  @Field(() => AuditUserReference, { nullable: true, description: 'The person (type user), resolved by identity.' })
  user: AuditUserReference | null;
}

@ObjectType('AuditTarget', { description: 'What the action was on.' })
export class AuditTargetType {
  @Field(() => String, { description: '`user`, `organization`, `subscription`, `invoice`, `api_key`, `role`…' })
  type: string;

  @Field(() => ID)
  id: string;

  @Field(() => AuditUserReference, { nullable: true, description: 'The person, when the target is a user.' })
  user: AuditUserReference | null;

  @Field(() => AuditOrganizationReference, { nullable: true, description: 'The organization, when the target is one.' })
  organization: AuditOrganizationReference | null;
}

@ObjectType('AuditLog', { description: 'One event of the audit trail, in its place in the organization’s hash chain.' })
export class AuditLogType {
  @Field(() => ID, { description: '`aud_…`' })
  id: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => Int, { description: 'Its place in the organization’s chain, from 1.' })
  sequence: number;

  @Field(() => AuditActorObject)
  actor: AuditActorObject;

  @Field(() => String, { description: '`resource.verb`, such as `billing.subscription.cancel`.' })
  action: string;

  @Field(() => AuditSeverity)
  severity: AuditSeverity;

  @Field(() => AuditOutcome)
  outcome: AuditOutcome;

  @Field(() => [AuditTargetType])
  targets: AuditTargetType[];

  @Field(() => String, { nullable: true })
  requestId: string | null;

  @PersonalData('network')
  @Field(() => String, { nullable: true })
  ip: string | null;

  @PersonalData('network')
  @Field(() => String, { nullable: true })
  userAgent: string | null;

  @PersonalData('activity')
  @Field(() => JSONObjectScalar, { nullable: true, description: 'What was asked (mutation arguments), secrets redacted.' })
  request: Record<string, unknown> | null;

  @Field(() => JSONObjectScalar, { nullable: true })
  response: Record<string, unknown> | null;

  @PersonalData('activity')
  @Field(() => JSONObjectScalar, { nullable: true, description: 'Old and new values, secrets redacted.' })
  changes: Record<string, unknown> | null;

  @Field(() => JSONObjectScalar, { nullable: true })
  metadata: Record<string, unknown> | null;

  @Field(() => String, { description: 'Who wrote it: `api`, a subgraph, `authz.decisions`.' })
  source: string;

  @Field(() => Date)
  occurredAt: Date;

  @Field(() => Date)
  recordedAt: Date;

  @Field(() => String, { description: 'SHA-256 (hex) of the previous hash and this event’s RFC 8785 canonical JSON.' })
  hash: string;

  @Field(() => String)
  previousHash: string;
}

@ObjectType('AuditLogPageInfo')
export class AuditLogPageInfo {
  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null on the last.' })
  endCursor: string | null;

  @Field(() => Boolean)
  hasNextPage: boolean;
}

@ObjectType('AuditLogConnection', { description: 'A page of the audit log, newest first.' })
export class AuditLogConnection {
  @Field(() => [AuditLogType])
  nodes: AuditLogType[];

  @Field(() => AuditLogPageInfo)
  pageInfo: AuditLogPageInfo;
}

/** The GraphQL shape of a stored event: people and organizations as federation references. */
export function auditLogOf(event: AuditEvent): AuditLogType {
  return {
    ...event,
    severity: event.severity as AuditSeverity,
    outcome: event.outcome as AuditOutcome,
    actor: {
      ...event.actor,
      type: event.actor.type as AuditActorType,
      user: event.actor.type === 'user' && event.actor.id ? { id: event.actor.id } : null,
    },
    targets: event.targets.map((target) => ({
      ...target,
      user: target.type === 'user' ? { id: target.id } : null,
      organization: target.type === 'organization' ? { id: target.id } : null,
    })),
  };
}
