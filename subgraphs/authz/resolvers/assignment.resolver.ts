import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import { NotFoundError } from '../../../platform/errors';
import { parseId } from '../../../platform/ids';
import type { AuthzContext } from '../context';
import { AssignRoleInput, AuthzUser, RevokeRoleInput, RoleAssignmentType, RoleType } from '../types/role.type';
import { roleId } from './role.resolver';

@Resolver(() => RoleAssignmentType)
export class AssignmentResolver {
  @Mutation(() => RoleAssignmentType, {
    description:
      'Gives a user a role, optionally until `expiresAt`; assigning it again replaces the expiry. You must hold everything the role grants.',
  })
  @RequiresPermission('roles', 'assign')
  async assignRole(@Arg('input', () => AssignRoleInput) input: AssignRoleInput, @Ctx() context: AuthzContext): Promise<RoleAssignmentType> {
    const { organizationId, userId } = requirePrincipal(context);
    return context.services.assignments.assign(organizationId, userId, {
      userId: parseId('user', input.userId, 'input.userId'),
      roleId: roleId(input.roleId, 'input.roleId'),
      expiresAt: input.expiresAt ?? null,
    });
  }

  @Mutation(() => RoleAssignmentType, {
    description: "Takes a role away; effective on the next request. The organization's last owner keeps theirs.",
  })
  @RequiresPermission('roles', 'assign')
  async revokeRole(@Arg('input', () => RevokeRoleInput) input: RevokeRoleInput, @Ctx() context: AuthzContext): Promise<RoleAssignmentType> {
    const { organizationId, userId } = requirePrincipal(context);
    return context.services.assignments.revoke(organizationId, userId, {
      userId: parseId('user', input.userId, 'input.userId'),
      roleId: roleId(input.roleId, 'input.roleId'),
    });
  }

  @FieldResolver(() => RoleType)
  async role(@Root() assignment: RoleAssignmentType, @Ctx() context: AuthzContext): Promise<RoleType> {
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
