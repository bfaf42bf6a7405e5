import { Field, ID, Int, ObjectType } from 'type-graphql';
import { ChainProblemKind } from './enums';

@ObjectType('AuditChainProblem', { description: 'The first broken link found.' })
export class AuditChainProblemType {
  @Field(() => ChainProblemKind)
  kind: ChainProblemKind;

  @Field(() => Int, { description: 'The first sequence number that is wrong or absent.' })
  sequence: number;

  @Field(() => ID, { nullable: true })
  eventId: string | null;

  @Field(() => String)
  message: string;
}

@ObjectType('AuditCheckpoint')
export class AuditCheckpointType {
  @Field(() => Int)
  sequence: number;

  @Field(() => Date)
  signedAt: Date;
}

@ObjectType('AuditChainVerification', {
  description: 'Whether an organization’s audit chain is intact, and if not, where it breaks first.',
})
export class AuditChainVerificationType {
  @Field(() => ID)
  organizationId: string;

  @Field(() => Boolean)
  valid: boolean;

  @Field(() => Int)
  checkedEvents: number;

  @Field(() => Int, { nullable: true })
  firstSequence: number | null;

  @Field(() => Int, { nullable: true })
  lastSequence: number | null;

  @Field(() => AuditCheckpointType, { nullable: true, description: 'The newest signed checkpoint the chain was held to.' })
  checkpoint: AuditCheckpointType | null;

  @Field(() => AuditChainProblemType, { nullable: true })
  problem: AuditChainProblemType | null;
}
