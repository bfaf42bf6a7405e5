import { Field, ID, InputType } from 'type-graphql';

@InputType('AuditTargetInput')
export class AuditTargetInput {
  @Field(() => String, { description: 'Lower case: `user`, `organization`, `api_key`…' })
  type: string;

  @Field(() => ID)
  id: string;
}
