import { Arg, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requireOrganization } from '../../../platform/context';
import type { ComplianceContext } from '../context';
import { callerOf } from '../services/caller';
import { DataSubjectRequestStatus } from '../types/compliance-request-enums';
import { ComplianceRequestType, complianceRequestTypeOf } from '../types/compliance-request.type';
import { RequestDataDeletionInput } from '../types/request-data-deletion.input';
import { RequestDataExportInput } from '../types/request-data-export.input';
import { RequestRectificationInput } from '../types/request-rectification.input';

@Resolver()
export class ComplianceRequestResolver {
  @Mutation(() => ComplianceRequestType, {
    description: 'Asks for a copy of a person’s data in every subgraph (JSON, CSV or PDF), downloadable once when it is ready.',
  })
  @RequiresPermission('profile', 'read')
  async requestDataExport(
    @Arg('input', () => RequestDataExportInput) input: RequestDataExportInput,
    @Ctx() context: ComplianceContext,
  ): Promise<ComplianceRequestType> {
    return complianceRequestTypeOf(await context.services.requests.requestExport(callerOf(context, 'Mutation.requestDataExport'), input));
  }

  @Mutation(() => ComplianceRequestType, {
    description: 'Asks for a person’s data to be erased (all of it, or chosen categories); an owner or admin approves it first.',
  })
  @RequiresPermission('profile', 'read')
  async requestDataDeletion(
    @Arg('input', () => RequestDataDeletionInput) input: RequestDataDeletionInput,
    @Ctx() context: ComplianceContext,
  ): Promise<ComplianceRequestType> {
    return complianceRequestTypeOf(
      await context.services.requests.requestDeletion(callerOf(context, 'Mutation.requestDataDeletion'), input),
    );
  }

  @Mutation(() => ComplianceRequestType, { description: 'Asks for a person’s inaccurate data to be corrected.' })
  @RequiresPermission('profile', 'read')
  async requestRectification(
    @Arg('input', () => RequestRectificationInput) input: RequestRectificationInput,
    @Ctx() context: ComplianceContext,
  ): Promise<ComplianceRequestType> {
    return complianceRequestTypeOf(
      await context.services.requests.requestRectification(callerOf(context, 'Mutation.requestRectification'), input),
    );
  }

  @Mutation(() => ComplianceRequestType, {
    description: 'Approves a deletion (it is then processed; a legal hold makes it wait) or a rectification (the data has been corrected).',
  })
  @RequiresPermission('compliance', 'approve')
  async approveComplianceRequest(
    @Arg('id', () => ID) id: string,
    @Arg('note', () => String, { nullable: true, description: 'At most 1,000 characters.' }) note: string | undefined,
    @Ctx() context: ComplianceContext,
  ): Promise<ComplianceRequestType> {
    return complianceRequestTypeOf(
      await context.services.requests.approve(callerOf(context, 'Mutation.approveComplianceRequest'), id, note),
    );
  }

  @Mutation(() => ComplianceRequestType, {
    description: 'Refuses a request awaiting a decision (or an export not yet processed), saying why.',
  })
  @RequiresPermission('compliance', 'approve')
  async rejectComplianceRequest(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { description: 'Told to the person: at most 1,000 characters.' }) reason: string,
    @Ctx() context: ComplianceContext,
  ): Promise<ComplianceRequestType> {
    return complianceRequestTypeOf(
      await context.services.requests.reject(callerOf(context, 'Mutation.rejectComplianceRequest'), id, reason),
    );
  }

  @Mutation(() => ComplianceRequestType, {
    description: 'Extends an open request’s due date once (GDPR: by two months; HIPAA: by 30 days), saying why.',
  })
  @RequiresPermission('compliance', 'manage')
  async extendComplianceRequest(
    @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { description: 'At most 1,000 characters.' }) reason: string,
    @Ctx() context: ComplianceContext,
  ): Promise<ComplianceRequestType> {
    return complianceRequestTypeOf(
      await context.services.requests.extend(callerOf(context, 'Mutation.extendComplianceRequest'), id, reason),
    );
  }

  @Query(() => [ComplianceRequestType], {
    description:
      'Data-subject requests of your organization, newest first (at most 500): your own (`userId` yourself), or anyone’s with `compliance:read`.',
  })
  @RequiresPermission('profile', 'read')
  async complianceRequests(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('userId', () => ID, { nullable: true }) userId: string | undefined,
    @Arg('status', () => DataSubjectRequestStatus, { nullable: true }) status: DataSubjectRequestStatus | undefined,
    @Ctx() context: ComplianceContext,
  ): Promise<ComplianceRequestType[]> {
    const rows = await context.services.requests.list(callerOf(context, 'Query.complianceRequests'), organizationId, { userId, status });
    return rows.map(complianceRequestTypeOf);
  }

  @Query(() => ComplianceRequestType, {
    nullable: true,
    description: 'One data-subject request: yours, or anyone’s with `compliance:read`.',
  })
  @RequiresPermission('profile', 'read')
  async complianceRequest(@Arg('id', () => ID) id: string, @Ctx() context: ComplianceContext): Promise<ComplianceRequestType> {
    return complianceRequestTypeOf(await context.services.requests.get(callerOf(context, 'Query.complianceRequest'), id));
  }

  @Subscription(() => ComplianceRequestType, {
    name: 'complianceRequestUpdates',
    description: 'Your organization’s data-subject requests as they change: received, decided, processed, held, completed.',
    subscribe: ({ args, context }) => {
      const { organizationId } = args as { organizationId: string };
      const compliance = context as ComplianceContext;
      requireOrganization(compliance, organizationId, 'organizationId');
      return compliance.services.requests.live(organizationId);
    },
  })
  @RequiresPermission('compliance', 'read')
  async complianceRequestStream(
    @Arg('organizationId', () => ID) _organizationId: string,
    @Root() update: { id: string },
    @Ctx() context: ComplianceContext,
  ): Promise<ComplianceRequestType> {
    return complianceRequestTypeOf(
      await context.services.requests.updated(callerOf(context, 'Subscription.complianceRequestUpdates'), update.id),
    );
  }
}
