import { RequiresPermission } from '../../../platform/access-directives';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { requireOrganization, requirePrincipal } from '../../../platform/context';
import { NotFoundError } from '../../../platform/errors';
import { parseId } from '../../../platform/ids';
import type { IdentityContext } from '../context';
import { OrganizationMember } from '../entities/organization-member.entity';
import { Organization } from '../entities/organization.entity';
import { CreateOrganizationInput, UpdateOrganizationInput } from '../types/organization.input';

@Resolver(() => Organization)
export class OrganizationResolver {
  @Query(() => Organization, { nullable: true, description: "An organization by id: your token's organization only." })
  @RequiresPermission('organization', 'read')
  async organization(@Arg('id', () => ID) id: string, @Ctx() context: IdentityContext): Promise<Organization> {
    return ownOrganization(context, id, 'id');
  }

  @Query(() => [Organization], { nullable: true, description: 'The organizations you are an active member of.' })
  @RequiresPermission('profile', 'read')
  async organizations(@Ctx() context: IdentityContext): Promise<Organization[]> {
    return context.services.organizations.listForUser(requirePrincipal(context).userId);
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
    await ownOrganization(context, id, 'id');
    return context.services.organizations.update(id, input);
  }

  @FieldResolver(() => [OrganizationMember], { description: 'Members, oldest first.' })
  @RequiresPermission('members', 'read')
  async members(@Root() organization: Organization, @Ctx() context: IdentityContext): Promise<OrganizationMember[]> {
    return context.loaders.membersByOrganizationId.load(organization.id);
  }
}

/**
 * The organization `id` names, which must be the caller's: a malformed id is BAD_USER_INPUT,
 * an unknown one NOT_FOUND, another organization's FORBIDDEN. `field` names the argument.
 */
export async function ownOrganization(context: IdentityContext, id: string, field: string): Promise<Organization> {
  const organization = await context.loaders.organizationById.load(parseId('organization', id, field));
  if (!organization) throw new NotFoundError('Organization', id, field);
  requireOrganization(context, id, field);
  return organization;
}

/** `Organization` by key, for other subgraphs: only the caller's own organization resolves. */
export const organizationReference = {
  __resolveReference: async ({ id }: { id: string }, context: IdentityContext): Promise<Organization | null> => {
    requireOrganization(context, id, 'id');
    return context.loaders.organizationById.load(id);
  },
};
