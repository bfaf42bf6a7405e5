import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import type { ComplianceContext } from '../context';
import { callerOf } from '../services/caller';
import {
  AccessReviewEntryType,
  AccessReviewType,
  DecideAccessReviewEntryInput,
  accessReviewEntryTypeOf,
  accessReviewTypeOf,
} from '../types/access-review.type';

@Resolver(() => AccessReviewType)
export class AccessReviewResolver {
  @Mutation(() => AccessReviewType, {
    description:
      'Starts an access review of your organization: a snapshot of every role each member holds now, one entry per role, to be kept or revoked.',
  })
  @RequiresPermission('compliance', 'manage')
  async startAccessReview(
    @Arg('organizationId', () => ID) organizationId: string,
    @Ctx() context: ComplianceContext,
  ): Promise<AccessReviewType> {
    return accessReviewTypeOf(await context.services.accessReviews.start(callerOf(context, 'Mutation.startAccessReview'), organizationId));
  }

  @Mutation(() => AccessReviewEntryType, {
    description:
      'Decides one entry of an open access review, with an optional note; it may be decided again until the review is completed.',
  })
  @RequiresPermission('compliance', 'manage')
  async decideAccessReviewEntry(
    @Arg('input', () => DecideAccessReviewEntryInput) input: DecideAccessReviewEntryInput,
    @Ctx() context: ComplianceContext,
  ): Promise<AccessReviewEntryType> {
    return accessReviewEntryTypeOf(
      await context.services.accessReviews.decide(
        callerOf(context, 'Mutation.decideAccessReviewEntry'),
        input.entryId,
        input.decision,
        input.note,
      ),
    );
  }

  @Mutation(() => AccessReviewType, {
    description:
      'Completes an access review once every entry is decided (CONFLICT otherwise); each role whose revocation was requested is then taken away by authz.',
  })
  @RequiresPermission('compliance', 'manage')
  async completeAccessReview(@Arg('id', () => ID) id: string, @Ctx() context: ComplianceContext): Promise<AccessReviewType> {
    return accessReviewTypeOf(await context.services.accessReviews.complete(callerOf(context, 'Mutation.completeAccessReview'), id));
  }

  @Query(() => [AccessReviewType], { description: 'Your organization’s access reviews, newest first (at most 50).' })
  @RequiresPermission('compliance', 'read')
  async accessReviews(
    @Arg('organizationId', () => ID) organizationId: string,
    @Ctx() context: ComplianceContext,
  ): Promise<AccessReviewType[]> {
    return (await context.services.accessReviews.list(callerOf(context, 'Query.accessReviews'), organizationId)).map(accessReviewTypeOf);
  }

  @Query(() => AccessReviewType, {
    description: 'One access review of your organization, with its entries; another organization’s is NOT_FOUND.',
  })
  @RequiresPermission('compliance', 'read')
  async accessReview(@Arg('id', () => ID) id: string, @Ctx() context: ComplianceContext): Promise<AccessReviewType> {
    return accessReviewTypeOf(await context.services.accessReviews.get(callerOf(context, 'Query.accessReview'), id));
  }

  @FieldResolver(() => [AccessReviewEntryType], { description: 'Every entry, by member then role.' })
  async entries(@Root() review: AccessReviewType, @Ctx() context: ComplianceContext): Promise<AccessReviewEntryType[]> {
    return (await context.services.accessReviews.entries(review)).map(accessReviewEntryTypeOf);
  }
}
