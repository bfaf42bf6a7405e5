import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import { PAGE_DESCRIPTION, PageArgs, page } from '../../../platform/limits/pagination';
import type { AuthzContext } from '../context';
import { RoleAssignmentType } from '../types/role-assignment.type';
import { AuthzUser } from '../types/user.type';

@Resolver(() => AuthzUser)
export class UserRolesResolver {
  @FieldResolver(() => [RoleAssignmentType], {
    nullable: true,
    description: `The user's roles in your token's organization, expired ones included (marked inactive). Null when authz does not answer. ${PAGE_DESCRIPTION}`,
  })
  @RequiresPermission('members', 'read')
  async roles(
    @Root() user: AuthzUser,
    @Args(() => PageArgs) pageArgs: PageArgs,
    @Ctx() context: AuthzContext,
  ): Promise<RoleAssignmentType[]> {
    return page(await context.services.assignments.listForUser(requirePrincipal(context).organizationId, user.id), pageArgs);
  }
}
