import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import { PAGE_DESCRIPTION, PageArgs, page } from '../../../platform/limits/pagination';
import type { AuthzContext } from '../context';
import { CreateRoleInput } from '../types/create-role.input';
import { RoleType } from '../types/role.type';
import { UpdateRoleInput } from '../types/update-role.input';

@Resolver(() => RoleType)
export class RoleResolver {
  @Query(() => [RoleType], {
    nullable: true,
    description: `The roles of your token's organization: the five system roles, then its own by name. ${PAGE_DESCRIPTION}`,
  })
  @RequiresPermission('roles', 'read')
  async roles(@Args(() => PageArgs) pageArgs: PageArgs, @Ctx() context: AuthzContext): Promise<RoleType[]> {
    return page(await context.loaders.rolesByOrganization.load(requirePrincipal(context).organizationId), pageArgs);
  }

  @Query(() => RoleType, { nullable: true })
  @RequiresPermission('roles', 'read')
  async role(@Arg('id', () => ID) id: string, @Ctx() context: AuthzContext): Promise<RoleType> {
    return context.services.roles.get(requirePrincipal(context).organizationId, id);
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
    return context.services.roles.update(organizationId, userId, id, input);
  }

  @Mutation(() => RoleType, {
    description: 'Deletes a custom role and every assignment of it; returns it. System roles cannot be deleted.',
  })
  @RequiresPermission('roles', 'delete')
  async deleteRole(@Arg('id', () => ID) id: string, @Ctx() context: AuthzContext): Promise<RoleType> {
    const { organizationId, userId } = requirePrincipal(context);
    return context.services.roles.delete(organizationId, userId, id);
  }
}
