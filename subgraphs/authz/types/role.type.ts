import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('Role', { description: 'A named set of permissions: one of the five system roles, or one of the organization’s own.' })
export class RoleType {
  @Field(() => ID, {
    description: 'Role id: `role_owner`, `role_admin`, `role_billing_manager`, `role_member`, `role_guest`, or `role_…`.',
  })
  id: string;

  @Field(() => String)
  name: string;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => Boolean, { description: 'System roles exist in every organization and cannot be changed or deleted.' })
  system: boolean;

  @Field(() => [String], { description: '`resource:action`, sorted; `*` is a wildcard.' })
  permissions: string[];

  @Field(() => Date, { nullable: true, description: 'Null for system roles.' })
  createdAt: Date | null;
}
