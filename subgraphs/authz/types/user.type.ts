import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Authz's view of a user: identity owns it, authz adds the roles. */
@ObjectType('User')
@Directive('@key(fields: "id")')
export class AuthzUser {
  @Field(() => ID)
  id: string;
}
