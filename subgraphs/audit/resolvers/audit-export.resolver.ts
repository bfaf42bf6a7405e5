import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { AuditContext } from '../context';
import { AuditExportLinkType } from '../types/audit-export-link.type';
import { AuditLogFilterInput } from '../types/audit-log-filter.input';
import { AuditExportFormat } from '../types/enums';

@Resolver()
export class AuditExportResolver {
  @Mutation(() => AuditExportLinkType, {
    description:
      'A signed link that downloads the matching events (JSON lines or CSV, oldest first), streamed however many there are; it expires.',
  })
  @RequiresPermission('audit', 'export')
  exportAuditLogs(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('filter', () => AuditLogFilterInput, { nullable: true }) filter: AuditLogFilterInput | null,
    @Arg('format', () => AuditExportFormat, { defaultValue: AuditExportFormat.JSONL }) format: AuditExportFormat,
    @Ctx() context: AuditContext,
  ): AuditExportLinkType {
    return context.services.exports.link(requirePrincipal(context), organizationId, filter ?? {}, format);
  }
}
