import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A person, owned by identity: the gateway fetches their current name and roles. */
@ObjectType('User')
@Directive('@key(fields: "id", resolvable: false)')
export class AuditUserReference {
  @Field(() => ID)
  id: string;
}

/** An organization, owned by identity. */
@ObjectType('Organization')
@Directive('@key(fields: "id", resolvable: false)')
export class AuditOrganizationReference {
  @Field(() => ID)
  id: string;
}
