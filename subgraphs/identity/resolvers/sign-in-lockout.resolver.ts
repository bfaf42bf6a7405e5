import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { IdentityContext } from '../context';
import { OrganizationMember } from '../entities/organization-member.entity';

@Resolver(() => OrganizationMember)
export class SignInLockoutResolver {
  @FieldResolver(() => Date, {
    nullable: true,
    description:
      'While too many failed sign-ins lock the member out of the organization: when the lock-out ends by itself. Null otherwise.',
  })
  async signInLockedUntil(@Root() member: OrganizationMember, @Ctx() context: IdentityContext): Promise<Date | null> {
    return context.loaders.signInLockedUntilByMember.load(`${member.organizationId}:${member.userId}`);
  }

  @Mutation(() => Boolean, {
    description: "Ends a member's sign-in lock-out now (and forgets their failed attempts); answers whether one was in force.",
  })
  @RequiresPermission('members', 'update')
  async unlockUser(@Arg('userId', () => ID) userId: string, @Ctx() context: IdentityContext): Promise<boolean> {
    return context.services.signInProtection.unlock(requirePrincipal(context), userId);
  }
}
