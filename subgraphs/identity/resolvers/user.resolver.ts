import { RequiresPermission } from '../../../platform/access-directives';
import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requirePrincipal } from '../../../platform/context';
import { NotFoundError } from '../../../platform/errors';
import type { IdentityContext } from '../context';
import { OrganizationMember } from '../entities/organization-member.entity';
import { User } from '../entities/user.entity';
import { UpdateProfileInput } from '../types/member.input';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { nullable: true, description: 'The signed-in user.' })
  @RequiresPermission('profile', 'read')
  async me(@Ctx() context: IdentityContext): Promise<User> {
    const { userId } = requirePrincipal(context);
    const user = await context.loaders.userById.load(userId);
    if (!user) throw new NotFoundError('User', userId);
    return user;
  }

  @Mutation(() => User, { description: 'Changes your own profile.' })
  @RequiresPermission('profile', 'update')
  async updateMe(@Arg('input', () => UpdateProfileInput) input: UpdateProfileInput, @Ctx() context: IdentityContext): Promise<User> {
    return context.services.users.updateProfile(requirePrincipal(context).userId, { name: input.name });
  }

  @FieldResolver(() => [OrganizationMember], {
    description: "Memberships: all of them for yourself, only the one in your token's organization for anyone else.",
  })
  async memberships(@Root() user: User, @Ctx() context: IdentityContext): Promise<OrganizationMember[]> {
    const principal = requirePrincipal(context);
    const memberships = await context.loaders.membershipsByUserId.load(user.id);
    return user.id === principal.userId ? memberships : memberships.filter((m) => m.organizationId === principal.organizationId);
  }
}

/**
 * Whether the caller may see this user: themselves, or a member of the caller's organization.
 * Other users do not exist as far as the caller can tell.
 */
export async function isVisibleUser(userId: string, context: IdentityContext): Promise<boolean> {
  const principal = requirePrincipal(context);
  if (userId === principal.userId) return true;
  const memberships = await context.loaders.membershipsByUserId.load(userId);
  return memberships.some((membership) => membership.organizationId === principal.organizationId);
}

export const userReference = {
  __resolveReference: async ({ id }: { id: string }, context: IdentityContext): Promise<User | null> =>
    (await isVisibleUser(id, context)) ? context.loaders.userById.load(id) : null,
};
