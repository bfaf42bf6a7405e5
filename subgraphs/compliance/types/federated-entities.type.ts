import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A person, owned by identity: the gateway fetches who they are. */
@ObjectType('User')
@Directive('@key(fields: "id", resolvable: false)')
export class ComplianceUserReference {
  @Field(() => ID)
  id: string;
}
