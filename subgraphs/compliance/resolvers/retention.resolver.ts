import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import type { ComplianceContext } from '../context';
import { callerOf } from '../services/caller';
import { RetentionCategoryValue, actionOf, categoryOf } from '../types/retention-enums';
import { RetentionPolicyType, retentionPolicyTypeOf } from '../types/retention-policy.type';
import { RetentionRunType, retentionRunTypeOf } from '../types/retention-run.type';
import { SetRetentionPolicyInput } from '../types/set-retention-policy.input';

@Resolver()
export class RetentionResolver {
  @Query(() => [RetentionPolicyType], { description: 'Your organization’s retention policies, one per category that has one.' })
  @RequiresPermission('compliance', 'read')
  async retentionPolicies(
    @Arg('organizationId', () => ID) organizationId: string,
    @Ctx() context: ComplianceContext,
  ): Promise<RetentionPolicyType[]> {
    const rows = await context.services.retention.policies(callerOf(context, 'Query.retentionPolicies'), organizationId);
    return rows.map(retentionPolicyTypeOf);
  }

  @Mutation(() => RetentionPolicyType, {
    description:
      'Sets how long your organization keeps a category of data, and whether it is then deleted or archived; the daily run applies it, skipping what a legal hold covers.',
  })
  @RequiresPermission('compliance', 'manage')
  async setRetentionPolicy(
    @Arg('input', () => SetRetentionPolicyInput) input: SetRetentionPolicyInput,
    @Ctx() context: ComplianceContext,
  ): Promise<RetentionPolicyType> {
    const policy = await context.services.retention.setPolicy(callerOf(context, 'Mutation.setRetentionPolicy'), {
      organizationId: input.organizationId,
      category: categoryOf(input.category),
      keepDays: input.keepDays,
      action: input.action ? actionOf(input.action) : null,
    });
    return retentionPolicyTypeOf(policy);
  }

  @Mutation(() => Boolean, { description: 'Removes the policy of a category: its data is kept from then on. False if there was none.' })
  @RequiresPermission('compliance', 'manage')
  async removeRetentionPolicy(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('category', () => RetentionCategoryValue) category: RetentionCategoryValue,
    @Ctx() context: ComplianceContext,
  ): Promise<boolean> {
    return context.services.retention.removePolicy(
      callerOf(context, 'Mutation.removeRetentionPolicy'),
      organizationId,
      categoryOf(category),
    );
  }

  @Mutation(() => RetentionRunType, {
    description:
      'Counts, per category, what your policies would delete or archive now and what a legal hold keeps, removing nothing. Answers within a few seconds; a category still PENDING is in `retentionRun(id)` later.',
  })
  @RequiresPermission('compliance', 'manage')
  async retentionDryRun(
    @Arg('organizationId', () => ID) organizationId: string,
    @Ctx() context: ComplianceContext,
  ): Promise<RetentionRunType> {
    return retentionRunTypeOf(await context.services.retention.dryRun(callerOf(context, 'Mutation.retentionDryRun'), organizationId));
  }

  @Query(() => [RetentionRunType], {
    description: 'Your organization’s retention runs and dry runs, newest first, with counts per category.',
  })
  @RequiresPermission('compliance', 'read')
  async retentionRuns(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('first', () => Int, { defaultValue: 20, description: 'At most 100.' }) first: number,
    @Ctx() context: ComplianceContext,
  ): Promise<RetentionRunType[]> {
    const views = await context.services.retention.runs(callerOf(context, 'Query.retentionRuns'), organizationId, first);
    return views.map(retentionRunTypeOf);
  }

  @Query(() => RetentionRunType, { description: 'One retention run of your organization.' })
  @RequiresPermission('compliance', 'read')
  async retentionRun(@Arg('id', () => ID) id: string, @Ctx() context: ComplianceContext): Promise<RetentionRunType> {
    return retentionRunTypeOf(await context.services.retention.run(callerOf(context, 'Query.retentionRun'), id));
  }
}
