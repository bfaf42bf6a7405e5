import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { IdentityContext } from '../context';
import { Organization } from '../entities/organization.entity';
import { SessionPolicyInput } from '../types/session-policy.input';
import { SessionPolicy } from '../types/session-policy.type';

@Resolver(() => Organization)
export class SessionPolicyResolver {
  @FieldResolver(() => SessionPolicy, { description: 'Its automatic log-off: how long sign-in sessions may idle and live.' })
  async sessionPolicy(@Root() organization: Organization, @Ctx() context: IdentityContext): Promise<SessionPolicy> {
    return context.loaders.sessionPolicyByOrganizationId.load(organization.id);
  }

  @Mutation(() => SessionPolicy, {
    description:
      "Sets your organization's session policy. Open sessions take the new absolute lifetime at once (those already past it end now); the idle timeout applies from their next refresh.",
  })
  @RequiresPermission('sessions', 'manage')
  async updateSessionPolicy(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('input', () => SessionPolicyInput) input: SessionPolicyInput,
    @Ctx() context: IdentityContext,
  ): Promise<SessionPolicy> {
    const policy = await context.services.sessionPolicies.update(requirePrincipal(context), organizationId, input);
    context.loaders.sessionPolicyByOrganizationId.clear(organizationId).prime(organizationId, policy);
    return policy;
  }
}
