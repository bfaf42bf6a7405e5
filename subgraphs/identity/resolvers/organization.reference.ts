import { requirePrincipal } from '../../../platform/context';
import type { IdentityContext } from '../context';
import type { Organization } from '../entities/organization.entity';

/** `Organization` by key, for other subgraphs: only the caller's own organization resolves; another is FORBIDDEN. */
export const organizationReference = {
  __resolveReference: ({ id }: { id: string }, context: IdentityContext): Promise<Organization | null> =>
    context.services.organizations.getReference(requirePrincipal(context), id, context.loaders),
};
