import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import { NotFoundError } from '../../../platform/errors';
import type { AuthzContext } from '../context';
import { AssignRoleInput } from '../types/assign-role.input';
import { RevokeRoleInput } from '../types/revoke-role.input';
import { RoleAssignmentType } from '../types/role-assignment.type';
import { RoleType } from '../types/role.type';
import { AuthzUser } from '../types/user.type';

@Resolver(() => RoleAssignmentType)
export class AssignmentResolver {
  @Mutation(() => RoleAssignmentType, {
    description:
      'Gives a user a role, optionally until `expiresAt`; assigning it again replaces the expiry. You must hold everything the role grants. The last owner cannot be given an expiry.',
  })
  @RequiresPermission('roles', 'assign')
  async assignRole(@Arg('input', () => AssignRoleInput) input: AssignRoleInput, @Ctx() context: AuthzContext): Promise<RoleAssignmentType> {
    const { organizationId, userId } = requirePrincipal(context);
    return context.services.assignments.assign(organizationId, userId, input);
  }

  @Mutation(() => RoleAssignmentType, {
    description:
      "Takes a role away; effective on the next request. Only an owner may take the owner role, and the organization's last owner (without an expiry) keeps theirs.",
  })
  @RequiresPermission('roles', 'assign')
  async revokeRole(@Arg('input', () => RevokeRoleInput) input: RevokeRoleInput, @Ctx() context: AuthzContext): Promise<RoleAssignmentType> {
    const { organizationId, userId } = requirePrincipal(context);
    return context.services.assignments.revoke(organizationId, userId, input);
  }

  @FieldResolver(() => RoleType)
  async role(@Root() assignment: RoleAssignmentType, @Ctx() context: AuthzContext): Promise<RoleType> {
    // Through the request's loader: a user's roles list many assignments of one organization.
    const roles = await context.loaders.rolesByOrganization.load(assignment.organizationId);
    const role = roles.find((candidate) => candidate.id === assignment.roleId);
    if (!role) throw new NotFoundError('Role', assignment.roleId);
    return role;
  }

  @FieldResolver(() => AuthzUser, { nullable: true, description: 'Null when identity does not answer or does not show the user.' })
  user(@Root() assignment: RoleAssignmentType): AuthzUser {
    return { id: assignment.userId };
  }
}
