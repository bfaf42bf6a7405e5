import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { AuditContext } from '../context';
import type { SiemDelivery } from '../entities/siem-delivery.entity';
import type { SiemSink } from '../entities/siem-sink.entity';
import { AuditSinkDeliveryType, AuditSinkRegistrationType, AuditSinkType } from '../types/audit-sink.type';

/** Numbers as the GraphQL types say (bigint columns arrive as strings). */
function sinkOf(sink: SiemSink): AuditSinkType {
  return { ...sink, deliveredSequence: Number(sink.deliveredSequence) };
}

@Resolver(() => AuditSinkType)
export class AuditSinkResolver {
  @Query(() => [AuditSinkType], { description: 'Your organization’s SIEM webhook sinks.' })
  @RequiresPermission('audit', 'read')
  async auditSinks(@Arg('organizationId', () => ID) organizationId: string, @Ctx() context: AuditContext): Promise<AuditSinkType[]> {
    return (await context.services.siem.list(requirePrincipal(context), organizationId)).map(sinkOf);
  }

  @Mutation(() => AuditSinkRegistrationType, {
    description: 'Registers an HTTPS endpoint that receives your organization’s audit events from now on, in order, signed; at most 5.',
  })
  @RequiresPermission('audit', 'update')
  async registerAuditSink(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('url', () => String) url: string,
    @Ctx() context: AuditContext,
  ): Promise<AuditSinkRegistrationType> {
    const { sink, signingSecret } = await context.services.siem.register(requirePrincipal(context), organizationId, url);
    return { sink: sinkOf(sink), signingSecret };
  }

  @Mutation(() => AuditSinkType, { description: 'Stops delivering to a sink and forgets it.' })
  @RequiresPermission('audit', 'update')
  async deleteAuditSink(@Arg('id', () => ID) id: string, @Ctx() context: AuditContext): Promise<AuditSinkType> {
    return sinkOf(await context.services.siem.remove(requirePrincipal(context), id));
  }

  @FieldResolver(() => [AuditSinkDeliveryType], { description: 'The delivery log, newest first (at most 100).' })
  async deliveries(
    @Root() sink: AuditSinkType,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Ctx() context: AuditContext,
  ): Promise<AuditSinkDeliveryType[]> {
    const deliveries: SiemDelivery[] = await context.services.siem.deliveries(sink.id, first);
    return deliveries.map((d) => ({ ...d, firstSequence: Number(d.firstSequence), lastSequence: Number(d.lastSequence) }));
  }
}
