import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Public, RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import { NotFoundError } from '../../../platform/errors';
import type { IdentityContext } from '../context';
import { Invitation, InvitationStatus } from '../entities/invitation.entity';
import { OrganizationMember } from '../entities/organization-member.entity';
import { Organization } from '../entities/organization.entity';
import { User } from '../entities/user.entity';
import { invitationStatus } from '../services/invitation.service';
import { InviteMemberInput } from '../types/invite-member.input';

@Resolver(() => Invitation)
export class InvitationResolver {
  @Mutation(() => Invitation, {
    description:
      'Invites a person by email. They become a member only when they accept, with the token this answer carries once. Valid for 7 days.',
  })
  @RequiresPermission('members', 'create')
  async inviteMember(
    @Arg('input', () => InviteMemberInput) input: InviteMemberInput,
    @Ctx() context: IdentityContext,
  ): Promise<Invitation> {
    return context.services.invitations.invite(requirePrincipal(context), input);
  }

  @Mutation(() => OrganizationMember, {
    description:
      'Accepts an invitation: you become a member with its role. If the address it was sent to has an account, sign in as it first (a token for any organization); otherwise the token proves the address and the account is created.',
  })
  @Public()
  async acceptInvitation(@Arg('token', () => String) token: string, @Ctx() context: IdentityContext): Promise<OrganizationMember> {
    return context.services.invitations.accept(context.principal, token);
  }

  @Mutation(() => Invitation, { description: 'Declines an invitation; the same people may decline as may accept.' })
  @Public()
  async declineInvitation(@Arg('token', () => String) token: string, @Ctx() context: IdentityContext): Promise<Invitation> {
    return context.services.invitations.decline(context.principal, token);
  }

  @Mutation(() => Invitation, { description: 'Takes back a pending invitation; its token stops working.' })
  @RequiresPermission('members', 'create')
  async revokeInvitation(@Arg('id', () => ID) id: string, @Ctx() context: IdentityContext): Promise<Invitation> {
    return context.services.invitations.revoke(requirePrincipal(context), id);
  }

  @Query(() => [Invitation], { nullable: true, description: "Your organization's invitations, newest first." })
  @RequiresPermission('members', 'create')
  async invitations(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('status', () => InvitationStatus, { nullable: true, description: 'Only those with this status.' }) status: InvitationStatus | null,
    @Ctx() context: IdentityContext,
  ): Promise<Invitation[]> {
    return context.services.invitations.list(requirePrincipal(context), organizationId, status);
  }

  @FieldResolver(() => InvitationStatus)
  status(@Root() invitation: Invitation): InvitationStatus {
    return invitationStatus(invitation);
  }

  @FieldResolver(() => Organization)
  async organization(@Root() invitation: Invitation, @Ctx() context: IdentityContext): Promise<Organization> {
    const organization = await context.loaders.organizationById.load(invitation.organizationId);
    if (!organization) throw new NotFoundError('Organization', invitation.organizationId);
    return organization;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who sent it; null once they are no one you can see.' })
  async invitedBy(@Root() invitation: Invitation, @Ctx() context: IdentityContext): Promise<User | null> {
    return context.services.invitations.inviter(context.principal, invitation, context.loaders);
  }
}
