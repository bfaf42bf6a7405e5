import { requirePrincipal } from '../../../platform/context';
import type { IdentityContext } from '../context';
import type { User } from '../entities/user.entity';

/** `User` by key, for other subgraphs: null for anyone the caller may not see (not themselves, not a member of their organization). */
export const userReference = {
  __resolveReference: ({ id }: { id: string }, context: IdentityContext): Promise<User | null> =>
    context.services.users.getVisible(requirePrincipal(context), id, context.loaders),
};
