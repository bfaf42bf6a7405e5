import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import type { ComplianceContext } from '../context';
import { callerOf } from '../services/caller';
import { ConsentRecordType, consentRecordTypeOf } from '../types/consent-record.type';
import { GrantConsentInput } from '../types/grant-consent.input';
import { WithdrawConsentInput } from '../types/withdraw-consent.input';

@Resolver()
export class ConsentResolver {
  @Mutation(() => ConsentRecordType, {
    description:
      'Records that you consent to a purpose under a notice version; with `userId`, an owner or admin records a member’s from other records (IMPORT).',
  })
  @RequiresPermission('consent', 'update')
  async grantConsent(
    @Arg('input', () => GrantConsentInput) input: GrantConsentInput,
    @Ctx() context: ComplianceContext,
  ): Promise<ConsentRecordType> {
    return consentRecordTypeOf(await context.services.consents.grant(callerOf(context, 'Mutation.grantConsent'), input));
  }

  @Mutation(() => ConsentRecordType, {
    description:
      'Withdraws your consent to a purpose, in one call; with `userId`, an owner or admin records a member’s withdrawal (IMPORT).',
  })
  @RequiresPermission('consent', 'update')
  async withdrawConsent(
    @Arg('input', () => WithdrawConsentInput) input: WithdrawConsentInput,
    @Ctx() context: ComplianceContext,
  ): Promise<ConsentRecordType> {
    return consentRecordTypeOf(await context.services.consents.withdraw(callerOf(context, 'Mutation.withdrawConsent'), input));
  }

  @Query(() => [ConsentRecordType], {
    description:
      'The current state of each person’s consent to each purpose (the latest record), by person and purpose: your own with `userId` set to you; anyone’s or everyone’s with `compliance:read`. At most 500.',
  })
  @RequiresPermission('consent', 'read')
  async consents(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('userId', () => ID, { nullable: true }) userId: string | undefined,
    @Arg('purpose', () => String, { nullable: true }) purpose: string | undefined,
    @Ctx() context: ComplianceContext,
  ): Promise<ConsentRecordType[]> {
    const rows = await context.services.consents.current(callerOf(context, 'Query.consents'), organizationId, { userId, purpose });
    return rows.map(consentRecordTypeOf);
  }

  @Query(() => [ConsentRecordType], {
    description:
      'Every grant and withdrawal of one person’s consent, newest first (at most 500): your own, or anyone’s with `compliance:read`.',
  })
  @RequiresPermission('consent', 'read')
  async consentHistory(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('userId', () => ID) userId: string,
    @Arg('purpose', () => String, { nullable: true }) purpose: string | undefined,
    @Ctx() context: ComplianceContext,
  ): Promise<ConsentRecordType[]> {
    const rows = await context.services.consents.history(callerOf(context, 'Query.consentHistory'), organizationId, userId, purpose);
    return rows.map(consentRecordTypeOf);
  }
}
