import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('AuditSinkDelivery', { description: 'One attempt to deliver a batch of events to a sink.' })
export class AuditSinkDeliveryType {
  @Field(() => Int)
  firstSequence: number;

  @Field(() => Int)
  lastSequence: number;

  @Field(() => Int)
  events: number;

  @Field(() => Int, { description: 'Attempts of this batch so far, this one included.' })
  attempt: number;

  @Field(() => Boolean)
  delivered: boolean;

  @Field(() => Int, { nullable: true, description: 'The receiver’s HTTP status; null when it did not answer.' })
  statusCode: number | null;

  @Field(() => String, { nullable: true })
  error: string | null;

  @Field(() => Date)
  createdAt: Date;
}

@ObjectType('AuditSink', { description: 'A SIEM webhook: the organization’s events POSTed in order, signed (`AuraLink-Signature`).' })
export class AuditSinkType {
  @Field(() => ID, { description: '`snk_…`' })
  id: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => String)
  url: string;

  @Field(() => Int, { description: 'The last event (its sequence) the receiver has acknowledged.' })
  deliveredSequence: number;

  @Field(() => Int, { description: 'Failed attempts since the last success.' })
  attempts: number;

  @Field(() => Date)
  nextAttemptAt: Date;

  @Field(() => String, { nullable: true })
  lastError: string | null;

  @Field(() => Date)
  createdAt: Date;
}

@ObjectType('AuditSinkRegistration')
export class AuditSinkRegistrationType {
  @Field(() => AuditSinkType)
  sink: AuditSinkType;

  @Field(() => String, { description: 'Shown once: verify `AuraLink-Signature` with it (HMAC-SHA256 over `<t>.<body>`).' })
  signingSecret: string;
}
