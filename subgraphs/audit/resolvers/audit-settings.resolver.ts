import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { AuditContext } from '../context';
import { AuditSettingsType } from '../types/audit-settings.type';

@Resolver()
export class AuditSettingsResolver {
  @Query(() => AuditSettingsType, { description: 'How long your organization’s audit events stay in the live log.' })
  @RequiresPermission('audit', 'read')
  async auditSettings(@Arg('organizationId', () => ID) organizationId: string, @Ctx() context: AuditContext): Promise<AuditSettingsType> {
    return context.services.retention.settingsFor(requirePrincipal(context), organizationId);
  }

  @Mutation(() => AuditSettingsType, {
    description: 'Days events stay in the live log before `audit.archive-events` archives them (1 to 3,650).',
  })
  @RequiresPermission('audit', 'update')
  async setAuditRetention(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('retentionDays', () => Int) retentionDays: number,
    @Ctx() context: AuditContext,
  ): Promise<AuditSettingsType> {
    return context.services.retention.setRetention(requirePrincipal(context), organizationId, retentionDays);
  }
}
