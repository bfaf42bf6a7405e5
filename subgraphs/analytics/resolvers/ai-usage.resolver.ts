import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { AnalyticsContext } from '../context';
import { AiUsageInput } from '../types/ai-usage.input';
import { AiUsageEventType, aiUsageEventTypeOf } from '../types/ai-usage-event.type';

@Resolver()
export class AiUsageResolver {
  @Mutation(() => AiUsageEventType, { description: 'Records one use of an AI feature; it counts as one AI call for billing.' })
  @RequiresPermission('analytics', 'write')
  async recordAiUsage(@Arg('input', () => AiUsageInput) input: AiUsageInput, @Ctx() context: AnalyticsContext): Promise<AiUsageEventType> {
    const [row] = await context.services.aiUsage.record(requirePrincipal(context), [input]);
    return aiUsageEventTypeOf(row);
  }

  @Mutation(() => [AiUsageEventType], { description: 'Records up to 500 uses: all of them, or none when one conflicts.' })
  @RequiresPermission('analytics', 'write')
  async recordAiUsageBatch(
    @Arg('input', () => [AiUsageInput]) input: AiUsageInput[],
    @Ctx() context: AnalyticsContext,
  ): Promise<AiUsageEventType[]> {
    return (await context.services.aiUsage.record(requirePrincipal(context), input)).map(aiUsageEventTypeOf);
  }
}
