import { Directive, Field, ID, InputType, ObjectType } from 'type-graphql';

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

/** Authz's view of a user: identity owns it, authz adds the roles. */
@ObjectType('User')
@Directive('@key(fields: "id")')
export class AuthzUser {
  @Field(() => ID)
  id: string;
}

@ObjectType('RoleAssignment', { description: 'A role held by a user in an organization, until revoked or until it expires.' })
export class RoleAssignmentType {
  organizationId: string;
  userId: string;
  roleId: string;

  @Field(() => Date, { nullable: true, description: 'When it stops granting; null: until revoked.' })
  expiresAt: Date | null;

  @Field(() => Boolean, { description: 'Whether it grants anything now (false once expired or revoked).' })
  active: boolean;
}

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

@ObjectType('PermissionExplanation', { description: 'A decision with the policy lines that produced it.' })
export class PermissionExplanationType extends PermissionCheckType {
  @Field(() => [String], {
    description: 'Casbin policy lines (`g, user, role, org` and `p, role, org, resource, action`) that grant it; empty when denied.',
  })
  policyLines: string[];

  @Field(() => String, { description: 'The decision in words.' })
  reason: string;
}

@InputType({ description: 'A custom role. You can only grant permissions you hold yourself.' })
export class CreateRoleInput {
  @Field(() => String)
  name: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { description: '`resource:action`, such as `members:read` or `billing:*`.' })
  permissions: string[];
}

@InputType({ description: 'Changes to a custom role; omitted fields stay as they are. `permissions` replaces the whole list.' })
export class UpdateRoleInput {
  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { nullable: true })
  permissions?: string[];
}

@InputType()
export class AssignRoleInput {
  @Field(() => ID)
  userId: string;

  @Field(() => ID)
  roleId: string;

  @Field(() => Date, { nullable: true, description: 'When the role stops granting; omitted: until revoked.' })
  expiresAt?: Date | null;

  @Field(() => ID, { nullable: true, description: "Defaults to your token's organization, and must be it." })
  organizationId?: string;
}

@InputType()
export class RevokeRoleInput {
  @Field(() => ID)
  userId: string;

  @Field(() => ID)
  roleId: string;

  @Field(() => ID, { nullable: true, description: "Defaults to your token's organization, and must be it." })
  organizationId?: string;
}
