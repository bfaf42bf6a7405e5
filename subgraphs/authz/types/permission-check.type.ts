import { Field, ID, ObjectType } from 'type-graphql';
import { AuthzUser } from './user.type';

@ObjectType('PermissionCheck', { description: 'Whether a user holds a permission in an organization, now.' })
export class PermissionCheckType {
  @Field(() => AuthzUser, { nullable: true, description: 'Null when identity does not answer or does not show the user.' })
  user: AuthzUser;

  @Field(() => ID)
  organizationId: string;

  @Field(() => String, { description: '`resource:action`.' })
  permission: string;

  @Field(() => Boolean)
  allowed: boolean;
}
