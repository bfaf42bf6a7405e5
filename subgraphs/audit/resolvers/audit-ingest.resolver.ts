import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { AuditContext } from '../context';
import { AuditEventInput } from '../types/audit-event.input';
import { RecordedAuditEventType } from '../types/recorded-audit-event.type';

@Resolver()
export class AuditIngestResolver {
  @Mutation(() => [RecordedAuditEventType], {
    description:
      'Records up to 1,000 events of your organization in one transaction; answers only once they are committed. An id recorded before is not written again.',
  })
  @RequiresPermission('audit', 'write')
  async recordAuditEvents(
    @Arg('events', () => [AuditEventInput]) events: AuditEventInput[],
    @Ctx() context: AuditContext,
  ): Promise<RecordedAuditEventType[]> {
    return context.services.ingest.recordFor(
      requirePrincipal(context),
      events.map((event) => ({ ...event, id: event.id ?? undefined, occurredAt: event.occurredAt ?? new Date() })),
    );
  }
}
