import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import { BadUserInputError } from '../../../platform/errors';
import type { AuthzContext } from '../context';
import { CreateRoleInput, RoleType, UpdateRoleInput } from '../types/role.type';

@Resolver(() => RoleType)
export class RoleResolver {
  @Query(() => [RoleType], {
    nullable: true,
    description: "The roles of your token's organization: the five system roles, then its own by name.",
  })
  @RequiresPermission('roles', 'read')
  async roles(@Ctx() context: AuthzContext): Promise<RoleType[]> {
    return context.loaders.rolesByOrganization.load(requirePrincipal(context).organizationId);
  }

  @Query(() => RoleType, { nullable: true })
  @RequiresPermission('roles', 'read')
  async role(@Arg('id', () => ID) id: string, @Ctx() context: AuthzContext): Promise<RoleType> {
    return context.services.roles.get(requirePrincipal(context).organizationId, roleId(id, 'id'));
  }

  @Mutation(() => RoleType, { description: 'Creates a custom role. You can only grant permissions you hold yourself.' })
  @RequiresPermission('roles', 'create')
  async createRole(@Arg('input', () => CreateRoleInput) input: CreateRoleInput, @Ctx() context: AuthzContext): Promise<RoleType> {
    const { organizationId, userId } = requirePrincipal(context);
    return context.services.roles.create(organizationId, userId, input);
  }

  @Mutation(() => RoleType, { description: 'Changes a custom role; takes effect on the next request. System roles cannot be changed.' })
  @RequiresPermission('roles', 'update')
  async updateRole(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateRoleInput) input: UpdateRoleInput,
    @Ctx() context: AuthzContext,
  ): Promise<RoleType> {
    const { organizationId, userId } = requirePrincipal(context);
    return context.services.roles.update(organizationId, userId, roleId(id, 'id'), input);
  }

  @Mutation(() => RoleType, {
    description: 'Deletes a custom role and every assignment of it; returns it. System roles cannot be deleted.',
  })
  @RequiresPermission('roles', 'delete')
  async deleteRole(@Arg('id', () => ID) id: string, @Ctx() context: AuthzContext): Promise<RoleType> {
    const { organizationId, userId } = requirePrincipal(context);
    return context.services.roles.delete(organizationId, userId, roleId(id, 'id'));
  }
}

/** Role ids are `role_` and a name or ULID. */
export function roleId(value: string, field: string): string {
  if (!/^role_[0-9A-Za-z_]{1,64}$/.test(value)) {
    throw new BadUserInputError(
      `${field}: "${value.slice(0, 40)}" is not a role id (expected "role_" followed by letters and digits)`,
      field,
    );
  }
  return value;
}
