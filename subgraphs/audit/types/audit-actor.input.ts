import { Field, InputType } from 'type-graphql';
import { AuditActorType } from './enums';

@InputType('AuditActorInput')
export class AuditActorInput {
  @Field(() => AuditActorType)
  type: AuditActorType;

  @Field(() => String, { nullable: true, description: 'Required for a user or API key.' })
  id?: string | null;

  @Field(() => String, { nullable: true })
  displayName?: string | null;
}
