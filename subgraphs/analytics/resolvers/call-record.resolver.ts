import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import { RequiresEntitlement } from '../../../platform/entitlements/entitlement-directive';
import type { AnalyticsContext } from '../context';
import { CallRecordInput } from '../types/call-record.input';
import { CallRecordType, callRecordTypeOf } from '../types/call-record.type';
import { EndCallInput } from '../types/end-call.input';
import { StartCallInput } from '../types/start-call.input';

@Resolver()
export class CallRecordResolver {
  @Mutation(() => CallRecordType, {
    description:
      "A call starts (media servers call this): it counts in the live figures at once. PAYMENT_REQUIRED once the plan's call minutes are used up.",
  })
  @RequiresPermission('analytics', 'write')
  @RequiresEntitlement('call_minutes')
  async startCall(@Arg('input', () => StartCallInput) input: StartCallInput, @Ctx() context: AnalyticsContext): Promise<CallRecordType> {
    return callRecordTypeOf(await context.services.calls.startCall(requirePrincipal(context), input));
  }

  @Mutation(() => CallRecordType, {
    description:
      'A call ends with its network figures: its quality is computed and its minutes go to billing. NOT_FOUND for a call never started.',
  })
  @RequiresPermission('analytics', 'write')
  async endCall(@Arg('input', () => EndCallInput) input: EndCallInput, @Ctx() context: AnalyticsContext): Promise<CallRecordType> {
    return callRecordTypeOf(await context.services.calls.endCall(requirePrincipal(context), input));
  }

  @Mutation(() => CallRecordType, { description: 'Records a whole call (start and end) at once.' })
  @RequiresPermission('analytics', 'write')
  async recordCall(@Arg('input', () => CallRecordInput) input: CallRecordInput, @Ctx() context: AnalyticsContext): Promise<CallRecordType> {
    const [row] = await context.services.calls.recordCalls(requirePrincipal(context), [input]);
    return callRecordTypeOf(row);
  }

  @Mutation(() => [CallRecordType], { description: 'Records up to 500 whole calls: all of them, or none when one conflicts.' })
  @RequiresPermission('analytics', 'write')
  async recordCalls(
    @Arg('input', () => [CallRecordInput]) input: CallRecordInput[],
    @Ctx() context: AnalyticsContext,
  ): Promise<CallRecordType[]> {
    return (await context.services.calls.recordCalls(requirePrincipal(context), input)).map(callRecordTypeOf);
  }

  @Query(() => CallRecordType, { nullable: true, description: "One of your organization's calls; null when there is none with this id." })
  @RequiresPermission('analytics', 'read')
  async callRecord(@Arg('callId', () => ID) callId: string, @Ctx() context: AnalyticsContext): Promise<CallRecordType | null> {
    const row = await context.services.calls.find(requirePrincipal(context), callId);
    return row ? callRecordTypeOf(row) : null;
  }

  @Query(() => [CallRecordType], {
    nullable: true,
    description:
      'Your organization’s calls started in [from, to) (default: the last 24 hours), newest first; `degradedOnly` for the degraded ones.',
  })
  @RequiresPermission('analytics', 'read')
  async callRecords(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('from', () => Date, { nullable: true }) from: Date | undefined,
    @Arg('to', () => Date, { nullable: true }) to: Date | undefined,
    @Arg('degradedOnly', () => Boolean, { defaultValue: false }) degradedOnly: boolean,
    @Arg('first', () => Int, { nullable: true }) first: number | undefined,
    @Ctx() context: AnalyticsContext,
  ): Promise<CallRecordType[]> {
    const rows = await context.services.calls.listFor(requirePrincipal(context), organizationId, { from, to, degradedOnly, first });
    return rows.map(callRecordTypeOf);
  }
}
