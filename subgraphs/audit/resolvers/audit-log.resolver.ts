import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { AuditContext } from '../context';
import { AuditLogFilterInput } from '../types/audit-log-filter.input';
import { AuditLogConnection, AuditLogType, auditLogOf } from '../types/audit-log.type';
import { AuditStatsType } from '../types/audit-stats.type';

@Resolver()
export class AuditLogResolver {
  @Query(() => AuditLogConnection, {
    description: 'Your organization’s audit log, newest first, filtered; `after` is the previous page’s `endCursor` (at most 100 a page).',
  })
  @RequiresPermission('audit', 'read')
  async auditLogs(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('filter', () => AuditLogFilterInput, { nullable: true }) filter: AuditLogFilterInput | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() context: AuditContext,
  ): Promise<AuditLogConnection> {
    const page = await context.services.logs.page(requirePrincipal(context), organizationId, filter ?? {}, first, after ?? null);
    return { nodes: page.events.map(auditLogOf), pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage } };
  }

  @Query(() => AuditLogType, { description: 'One event of your organization’s audit log, live or archived.' })
  @RequiresPermission('audit', 'read')
  async auditLog(@Arg('id', () => ID) id: string, @Ctx() context: AuditContext): Promise<AuditLogType> {
    return auditLogOf(await context.services.logs.get(requirePrincipal(context), id));
  }

  @Query(() => AuditStatsType, { description: 'Counts by action, severity, outcome, actor and day of the events matching `filter`.' })
  @RequiresPermission('audit', 'read')
  async auditStats(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('filter', () => AuditLogFilterInput, { nullable: true }) filter: AuditLogFilterInput | null,
    @Ctx() context: AuditContext,
  ): Promise<AuditStatsType> {
    return context.services.logs.stats(requirePrincipal(context), organizationId, filter ?? {});
  }
}
