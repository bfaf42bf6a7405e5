import { ForbiddenError } from './errors';
import type { SubgraphDependencies } from './subgraph';

/**
 * Whether the person a signed download link names may still use it: a member who has not
 * been suspended or removed since (the process's membership revocations) and whose roles
 * still grant `resource:action` in the organization. A link outlives neither.
 */
export async function linkHolderMay(
  dependencies: Pick<SubgraphDependencies, 'access' | 'messaging'>,
  grant: { userId: string; organizationId: string },
  resource: string,
  action: string,
): Promise<boolean> {
  try {
    await dependencies.messaging.revocations.assertActive({
      userId: grant.userId,
      organizationId: grant.organizationId,
      sessionId: '',
      expiresAt: new Date(),
    });
  } catch (error) {
    if (error instanceof ForbiddenError) return false;
    throw error;
  }
  return dependencies.access.authorizer.allows(grant.userId, grant.organizationId, resource, action);
}
