import { RequiresPermission } from '../../../platform/access-directives';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { requirePrincipal } from '../../../platform/context';
import { NotFoundError } from '../../../platform/errors';
import type { IdentityContext } from '../context';
import { OrganizationMember } from '../entities/organization-member.entity';
import { Organization } from '../entities/organization.entity';
import { User } from '../entities/user.entity';
import { UpdateMemberInput } from '../types/update-member.input';

@Resolver(() => OrganizationMember)
export class MemberResolver {
  @Mutation(() => OrganizationMember, {
    description:
      "Suspends or reactivates a membership (not your own). Only an owner may suspend an owner, and the last owner stays active. A suspended member's tokens are refused from the next request on.",
  })
  @RequiresPermission('members', 'update')
  async updateMember(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateMemberInput) input: UpdateMemberInput,
    @Ctx() context: IdentityContext,
  ): Promise<OrganizationMember> {
    return context.services.members.setStatus(requirePrincipal(context), id, input.status);
  }

  @Mutation(() => OrganizationMember, {
    description:
      'Removes a membership, with every role it held, and returns it. Only an owner may remove an owner; the last active member and the last owner cannot be removed.',
  })
  @RequiresPermission('members', 'delete')
  async removeMember(@Arg('id', () => ID) id: string, @Ctx() context: IdentityContext): Promise<OrganizationMember> {
    return context.services.members.remove(requirePrincipal(context), id);
  }

  @FieldResolver(() => Organization)
  async organization(@Root() member: OrganizationMember, @Ctx() context: IdentityContext): Promise<Organization> {
    const organization = await context.loaders.organizationById.load(member.organizationId);
    if (!organization) throw new NotFoundError('Organization', member.organizationId);
    return organization;
  }

  @FieldResolver(() => User)
  async user(@Root() member: OrganizationMember, @Ctx() context: IdentityContext): Promise<User> {
    const user = await context.loaders.userById.load(member.userId);
    if (!user) throw new NotFoundError('User', member.userId);
    return user;
  }
}
