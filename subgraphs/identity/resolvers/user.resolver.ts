import { RequiresPermission } from '../../../platform/access-directives';
import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requirePrincipal } from '../../../platform/context';
import { PAGE_DESCRIPTION, PageArgs, page } from '../../../platform/limits/pagination';
import type { IdentityContext } from '../context';
import { OrganizationMember } from '../entities/organization-member.entity';
import { User } from '../entities/user.entity';
import { UpdateProfileInput } from '../types/update-profile.input';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { nullable: true, description: 'The signed-in user.' })
  @RequiresPermission('profile', 'read')
  async me(@Ctx() context: IdentityContext): Promise<User> {
    return context.services.users.getMe(requirePrincipal(context), context.loaders);
  }

  @Mutation(() => User, { description: 'Changes your own profile.' })
  @RequiresPermission('profile', 'update')
  async updateMe(@Arg('input', () => UpdateProfileInput) input: UpdateProfileInput, @Ctx() context: IdentityContext): Promise<User> {
    return context.services.users.updateProfile(requirePrincipal(context), { name: input.name });
  }

  @FieldResolver(() => [OrganizationMember], {
    description: `Memberships: all of them for yourself, only the one in your token's organization for anyone else. ${PAGE_DESCRIPTION}`,
  })
  async memberships(
    @Root() user: User,
    @Args(() => PageArgs) pageArgs: PageArgs,
    @Ctx() context: IdentityContext,
  ): Promise<OrganizationMember[]> {
    return page(await context.services.members.listVisibleForUser(requirePrincipal(context), user.id, context.loaders), pageArgs);
  }
}
