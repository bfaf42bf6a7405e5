import { RequiresPermission } from '../../../platform/access-directives';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requirePrincipal } from '../../../platform/context';
import { PAGE_DESCRIPTION, PageArgs, page } from '../../../platform/limits/pagination';
import type { IdentityContext } from '../context';
import { OrganizationMember } from '../entities/organization-member.entity';
import { Organization } from '../entities/organization.entity';
import { CreateOrganizationInput } from '../types/create-organization.input';
import { UpdateOrganizationInput } from '../types/update-organization.input';

@Resolver(() => Organization)
export class OrganizationResolver {
  @Query(() => Organization, { nullable: true, description: "An organization by id: your token's organization only." })
  @RequiresPermission('organization', 'read')
  async organization(@Arg('id', () => ID) id: string, @Ctx() context: IdentityContext): Promise<Organization> {
    return context.services.organizations.getForPrincipal(requirePrincipal(context), id, 'id', context.loaders);
  }

  @Query(() => [Organization], { nullable: true, description: `The organizations you are an active member of. ${PAGE_DESCRIPTION}` })
  @RequiresPermission('profile', 'read')
  async organizations(@Args(() => PageArgs) pageArgs: PageArgs, @Ctx() context: IdentityContext): Promise<Organization[]> {
    return page(await context.services.organizations.listForUser(requirePrincipal(context).userId), pageArgs);
  }

  @Mutation(() => Organization, { description: 'Creates an organization with you as its first member and owner.' })
  @RequiresPermission('organization', 'create')
  async createOrganization(
    @Arg('input', () => CreateOrganizationInput) input: CreateOrganizationInput,
    @Ctx() context: IdentityContext,
  ): Promise<Organization> {
    return context.services.organizations.create(input, requirePrincipal(context).userId);
  }

  @Mutation(() => Organization)
  @RequiresPermission('organization', 'update')
  async updateOrganization(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateOrganizationInput) input: UpdateOrganizationInput,
    @Ctx() context: IdentityContext,
  ): Promise<Organization> {
    return context.services.organizations.update(requirePrincipal(context), id, input, context.loaders);
  }

  @FieldResolver(() => [OrganizationMember], { description: `Members, oldest first. ${PAGE_DESCRIPTION}` })
  @RequiresPermission('members', 'read')
  async members(
    @Root() organization: Organization,
    @Args(() => PageArgs) pageArgs: PageArgs,
    @Ctx() context: IdentityContext,
  ): Promise<OrganizationMember[]> {
    return page(await context.loaders.membersByOrganizationId.load(organization.id), pageArgs);
  }
}
