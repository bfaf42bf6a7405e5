import { requirePrincipal } from '../../../platform/context';
import type { IdentityContext } from '../context';
import type { OrganizationMember } from '../entities/organization-member.entity';

/** `OrganizationMember` by key, for other subgraphs: null for a membership that does not exist or is not of the caller's organization. */
export const memberReference = {
  __resolveReference: ({ id }: { id: string }, context: IdentityContext): Promise<OrganizationMember | null> =>
    context.services.members.findVisible(requirePrincipal(context), id, context.loaders),
};
