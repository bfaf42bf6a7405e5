import { Arg, Args, Ctx, ID, Query, Resolver } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import { PAGE_DESCRIPTION, PageArgs, page } from '../../../platform/limits/pagination';
import type { AuthzContext } from '../context';
import { PermissionCheckType } from '../types/permission-check.type';
import { PermissionExplanationType } from '../types/permission-explanation.type';
import { AuthzUser } from '../types/user.type';

@Resolver(() => PermissionCheckType)
export class PermissionResolver {
  @Query(() => [String], {
    nullable: true,
    description: "A user's effective permissions in your token's organization now: `resource:action`, wildcards as granted.",
  })
  @RequiresPermission('permissions', 'read')
  async userPermissions(@Arg('userId', () => ID) userId: string, @Ctx() context: AuthzContext): Promise<string[]> {
    return context.services.decisions.permissionsOf(requirePrincipal(context).organizationId, userId);
  }

  @Query(() => [String], { nullable: true, description: 'Your own effective permissions, for showing only what you can do.' })
  @RequiresPermission('profile', 'read')
  async myPermissions(@Ctx() context: AuthzContext): Promise<string[]> {
    const { organizationId, userId } = requirePrincipal(context);
    return context.services.decisions.permissionsOf(organizationId, userId);
  }

  @Query(() => PermissionCheckType, {
    nullable: true,
    description: 'Whether a user may do `action` on `resource` in the organization, now.',
  })
  @RequiresPermission('permissions', 'read')
  async checkPermission(
    @Arg('userId', () => ID) userId: string,
    @Arg('resource', () => String) resource: string,
    @Arg('action', () => String) action: string,
    @Arg('organizationId', () => ID, { nullable: true, description: "Defaults to your token's organization, and must be it." })
    organizationId: string | undefined,
    @Ctx() context: AuthzContext,
  ): Promise<PermissionCheckType> {
    const principal = requirePrincipal(context);
    const decision = await context.services.decisions.check(organizationId ?? principal.organizationId, userId, resource, action);
    return { ...decision, user: { id: decision.userId } };
  }

  @Query(() => PermissionExplanationType, {
    nullable: true,
    description: 'The decision for a user and permission, with the policy lines that produced it.',
  })
  @RequiresPermission('permissions', 'read')
  async explainPermission(
    @Arg('userId', () => ID) userId: string,
    @Arg('resource', () => String) resource: string,
    @Arg('action', () => String) action: string,
    @Ctx() context: AuthzContext,
  ): Promise<PermissionExplanationType> {
    const { organizationId } = requirePrincipal(context);
    const explanation = await context.services.decisions.explain(organizationId, userId, resource, action);
    return { ...explanation, user: { id: explanation.userId } };
  }

  @Query(() => [AuthzUser], {
    nullable: true,
    description: `The users of your organization who may do \`action\` on \`resource\` now. ${PAGE_DESCRIPTION}`,
  })
  @RequiresPermission('permissions', 'read')
  async whoCan(
    @Arg('resource', () => String) resource: string,
    @Arg('action', () => String) action: string,
    @Args(() => PageArgs) pageArgs: PageArgs,
    @Ctx() context: AuthzContext,
  ): Promise<AuthzUser[]> {
    const userIds = await context.services.decisions.whoCan(requirePrincipal(context).organizationId, resource, action);
    return page(userIds, pageArgs).map((id) => ({ id }));
  }
}
