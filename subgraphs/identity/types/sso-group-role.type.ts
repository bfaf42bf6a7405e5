import { Field, ObjectType } from 'type-graphql';

@ObjectType('SsoGroupRole', { description: 'A group the identity provider names, and the system role its members get.' })
export class SsoGroupRole {
  @Field(() => String, { description: 'The group, as the identity provider sends it.' })
  group: string;

  @Field(() => String, { description: 'A system role: `admin`, `billing_manager`, `member` or `guest`.' })
  role: string;
}
