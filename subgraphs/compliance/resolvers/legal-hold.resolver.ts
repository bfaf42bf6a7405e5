import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import type { ComplianceContext } from '../context';
import { callerOf } from '../services/caller';
import { LegalHoldType, legalHoldTypeOf } from '../types/legal-hold.type';
import { PlaceLegalHoldInput } from '../types/place-legal-hold.input';

@Resolver()
export class LegalHoldResolver {
  @Mutation(() => LegalHoldType, {
    description:
      'Holds a member’s data, or the whole organization’s, for a legal matter: nothing it covers may be deleted until it is released.',
  })
  @RequiresPermission('compliance', 'manage')
  async placeLegalHold(
    @Arg('input', () => PlaceLegalHoldInput) input: PlaceLegalHoldInput,
    @Ctx() context: ComplianceContext,
  ): Promise<LegalHoldType> {
    return legalHoldTypeOf(await context.services.legalHolds.place(callerOf(context, 'Mutation.placeLegalHold'), input));
  }

  @Mutation(() => LegalHoldType, {
    description: 'Releases an active legal hold, saying why. The hold is kept, with who released it and when.',
  })
  @RequiresPermission('compliance', 'manage')
  async releaseLegalHold(
    @Arg('id', () => ID) id: string,
    @Arg('note', () => String, { description: 'Why it is released: at most 1,000 characters.' }) note: string,
    @Ctx() context: ComplianceContext,
  ): Promise<LegalHoldType> {
    return legalHoldTypeOf(await context.services.legalHolds.release(callerOf(context, 'Mutation.releaseLegalHold'), id, note));
  }

  @Query(() => [LegalHoldType], {
    description:
      'Your organization’s legal holds, newest first (at most 500): all, only the active (`active: true`) or only the released (`active: false`).',
  })
  @RequiresPermission('compliance', 'read')
  async legalHolds(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('active', () => Boolean, { nullable: true }) active: boolean | undefined,
    @Ctx() context: ComplianceContext,
  ): Promise<LegalHoldType[]> {
    return (await context.services.legalHolds.list(callerOf(context, 'Query.legalHolds'), organizationId, active)).map(legalHoldTypeOf);
  }
}
