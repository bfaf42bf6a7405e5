import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import { BadUserInputError } from '../../../platform/errors';
import type { IdentityContext } from '../context';
import { Organization } from '../entities/organization.entity';
import { MfaEnrollment } from '../types/mfa-enrollment.type';
import { MfaRequirement } from '../types/mfa-requirement.type';
import { MfaStatus } from '../types/mfa-status.type';

/**
 * One's own second factor needs only `profile:read`, which every role holds: an organization
 * that requires MFA of everyone lets guests set it up too. The organization's requirement is
 * an admin's (`organization:update`). Codes travel as `mfaCode` and `recoveryCode`, names the
 * audit log redacts.
 */
@Resolver(() => Organization)
export class MfaResolver {
  @Query(() => MfaStatus, { description: 'Your second factor: whether it is set up, and how many recovery codes are left.' })
  @RequiresPermission('profile', 'read')
  async myMfa(@Ctx() context: IdentityContext): Promise<MfaStatus> {
    return context.services.mfa.status(requirePrincipal(context).userId);
  }

  @Mutation(() => MfaEnrollment, {
    description:
      'Starts setting up a second factor (TOTP): scan `otpauthUri` as a QR code, then `confirmMfaEnrollment` with the first code. Asked again before confirming, it answers the same secret.',
  })
  @RequiresPermission('profile', 'read')
  async beginMfaEnrollment(@Ctx() context: IdentityContext): Promise<MfaEnrollment> {
    return context.services.mfa.beginEnrollmentFor(requirePrincipal(context));
  }

  @Mutation(() => [String], {
    description:
      'Turns your second factor on with the first code your authenticator app shows, and answers your ten recovery codes: shown this once, each signs in once in place of a code.',
  })
  @RequiresPermission('profile', 'read')
  async confirmMfaEnrollment(
    @Arg('mfaCode', () => String, { description: 'The six digits your authenticator app shows now.' }) mfaCode: string,
    @Ctx() context: IdentityContext,
  ): Promise<string[]> {
    return context.services.mfa.confirmEnrollmentFor(requirePrincipal(context), mfaCode);
  }

  @Mutation(() => [String], {
    description: 'Replaces your recovery codes with ten new ones (the old ones stop working), after a current code of your app.',
  })
  @RequiresPermission('profile', 'read')
  async regenerateMfaRecoveryCodes(
    @Arg('mfaCode', () => String, { description: 'The six digits your authenticator app shows now.' }) mfaCode: string,
    @Ctx() context: IdentityContext,
  ): Promise<string[]> {
    return context.services.mfa.regenerateRecoveryCodes(requirePrincipal(context), mfaCode);
  }

  @Mutation(() => MfaStatus, {
    description:
      "Turns your second factor off, after a current code or a recovery code (an enrolment not yet confirmed needs neither). Refused while your token's organization requires it of you.",
  })
  @RequiresPermission('profile', 'read')
  async disableMfa(
    @Arg('mfaCode', () => String, { nullable: true, description: 'The six digits your authenticator app shows now.' })
    mfaCode: string | null | undefined,
    @Arg('recoveryCode', () => String, { nullable: true, description: 'One of your recovery codes, in place of a code.' })
    recoveryCode: string | null | undefined,
    @Ctx() context: IdentityContext,
  ): Promise<MfaStatus> {
    if ((mfaCode ?? undefined) !== undefined && (recoveryCode ?? undefined) !== undefined) {
      throw new BadUserInputError('mfaCode: give either mfaCode or recoveryCode, not both', 'mfaCode');
    }
    const proof = typeof recoveryCode === 'string' ? { recoveryCode } : { code: mfaCode ?? '' };
    return context.services.mfa.disable(requirePrincipal(context), proof);
  }

  @FieldResolver(() => MfaRequirement, { description: 'Who must sign in with a second factor: nobody, owners and admins, or everyone.' })
  async mfaRequirement(@Root() organization: Organization, @Ctx() context: IdentityContext): Promise<MfaRequirement> {
    return context.loaders.mfaRequirementByOrganizationId.load(organization.id);
  }

  @Mutation(() => MfaRequirement, {
    description:
      'Sets who in your organization must sign in with a second factor. Those who must and have none are asked to set one up at their next sign-in; sessions already open go on.',
  })
  @RequiresPermission('organization', 'update')
  async setMfaRequirement(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('requirement', () => MfaRequirement) requirement: MfaRequirement,
    @Ctx() context: IdentityContext,
  ): Promise<MfaRequirement> {
    const set = await context.services.mfa.setRequirement(requirePrincipal(context), organizationId, requirement);
    context.loaders.mfaRequirementByOrganizationId.clear(organizationId).prime(organizationId, set);
    return set;
  }
}
