import type { AuthzUser } from '../types/user.type';

/** `User` by key: authz adds roles to any user id; which ones the caller may see is the field's own check. */
export const authzUserReference = {
  __resolveReference: ({ id }: { id: string }): AuthzUser => ({ id }),
};
