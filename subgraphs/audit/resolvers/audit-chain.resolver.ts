import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requireOrganization } from '../../../platform/context';
import type { AuditContext } from '../context';
import { AuditChainVerificationType } from '../types/chain-verification.type';
import type { ChainProblemKind } from '../types/enums';

@Resolver()
export class AuditChainResolver {
  @Query(() => AuditChainVerificationType, {
    description:
      'Recomputes your organization’s hash chain over events recorded between `from` and `to` (all when absent) and names the first broken link.',
  })
  @RequiresPermission('audit', 'read')
  async verifyAuditChain(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('from', () => Date, { nullable: true }) from: Date | null,
    @Arg('to', () => Date, { nullable: true }) to: Date | null,
    @Ctx() context: AuditContext,
  ): Promise<AuditChainVerificationType> {
    requireOrganization(context, organizationId);
    const result = await context.services.verification.verify(organizationId, from ?? null, to ?? null);
    return { ...result, problem: result.problem ? { ...result.problem, kind: result.problem.kind as ChainProblemKind } : null };
  }
}
