import { RequiresPermission } from '../../../platform/access-directives';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../../platform/errors';
import { parseId } from '../../../platform/ids';
import type { IdentityContext } from '../context';
import { OrganizationMember } from '../entities/organization-member.entity';
import { Organization } from '../entities/organization.entity';
import { User } from '../entities/user.entity';
import { AddMemberInput, UpdateMemberInput } from '../types/member.input';
import { ownOrganization } from './organization.resolver';

@Resolver(() => OrganizationMember)
export class MemberResolver {
  @Mutation(() => OrganizationMember, { description: 'Adds a person to the organization by email, with the member role.' })
  @RequiresPermission('members', 'create')
  async addMember(@Arg('input', () => AddMemberInput) input: AddMemberInput, @Ctx() context: IdentityContext): Promise<OrganizationMember> {
    await ownOrganization(context, input.organizationId, 'input.organizationId');
    return context.services.members.add(input);
  }

  @Mutation(() => OrganizationMember, { description: 'Suspends or reactivates a membership.' })
  @RequiresPermission('members', 'update')
  async updateMember(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateMemberInput) input: UpdateMemberInput,
    @Ctx() context: IdentityContext,
  ): Promise<OrganizationMember> {
    await ownMembership(id, context);
    return context.services.members.setStatus(id, input.status);
  }

  @Mutation(() => OrganizationMember, {
    description:
      'Removes a membership, with every role it held, and returns it. The last active member and the last owner cannot be removed.',
  })
  @RequiresPermission('members', 'delete')
  async removeMember(@Arg('id', () => ID) id: string, @Ctx() context: IdentityContext): Promise<OrganizationMember> {
    await ownMembership(id, context);
    return context.services.members.remove(id);
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

/** A membership id of the caller's organization; one of another organization is reported as not found. */
async function ownMembership(id: string, context: IdentityContext): Promise<OrganizationMember> {
  const member = await context.services.members.get(parseId('member', id, 'id'));
  if (member.organizationId !== context.principal?.organizationId) throw new NotFoundError('OrganizationMember', id, 'id');
  return member;
}

export const memberReference = {
  __resolveReference: async ({ id }: { id: string }, context: IdentityContext): Promise<OrganizationMember | null> => {
    const member = await context.services.members.get(id).catch(() => null);
    return member && member.organizationId === context.principal?.organizationId ? member : null;
  },
};
