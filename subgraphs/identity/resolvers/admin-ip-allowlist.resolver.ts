import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requirePrincipal } from '../../../platform/context';
import type { IdentityContext } from '../context';
import { Organization } from '../entities/organization.entity';

@Resolver(() => Organization)
export class AdminIpAllowlistResolver {
  @FieldResolver(() => [String], {
    nullable: true,
    description:
      'The networks (CIDR) its owners and admins make changes from: every mutation of theirs from another address is FORBIDDEN. Empty: from anywhere.',
  })
  @RequiresPermission('organization', 'update')
  async adminIpAllowlist(@Root() organization: Organization, @Ctx() context: IdentityContext): Promise<string[]> {
    return context.services.adminIpAllowlists.get(organization.id);
  }

  @Mutation(() => [String], {
    description:
      "Replaces your organization's admin IP allowlist (IPv4 and IPv6 CIDRs, at most 100; empty: no restriction). A list without your current address is refused unless `confirmLockout: true`.",
  })
  @RequiresPermission('organization', 'update')
  async setAdminIpAllowlist(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('cidrs', () => [String], { description: 'Networks such as `203.0.113.0/24` or `2001:db8::/32`; a bare address is one host.' })
    cidrs: string[],
    @Arg('confirmLockout', () => Boolean, {
      defaultValue: false,
      description: 'Save a list that leaves out your current address (you then make no more admin changes from here).',
    })
    confirmLockout: boolean,
    @Ctx() context: IdentityContext,
  ): Promise<string[]> {
    return context.services.adminIpAllowlists.set(
      requirePrincipal(context),
      organizationId,
      cidrs,
      confirmLockout,
      context.client?.ip ?? null,
    );
  }
}
