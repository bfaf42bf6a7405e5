import type { AdminNetworks } from './auth/admin-networks';
import type { ClientInfo } from './client-info';
import type { Logger } from './logger';
import type { Principal } from './auth/principal';
import type { AccessControl } from './authorization/access-control';
import type { MutationAuditSink } from './mutation-audit';
import { ForbiddenError, UnauthenticatedError } from './errors';

/** What every subgraph resolver sees, before the subgraph adds its services and loaders. */
export interface RequestContext {
  requestId: string;
  principal: Principal | null;
  logger: Logger;
  /** Permission decisions and their log, shared by the process. */
  access: AccessControl;
  /**
   * Whether the caller showed the gateway's credential (platform/subgraph-credential.ts): only
   * then do `_entities` and `_service` answer, `_entities` for at most `maxRepresentations` keys.
   * Absent: refused.
   */
  entityLookups?: { allowed: boolean; maxRepresentations: number };
  /** Where this subgraph's mutation outcomes are recorded (platform/mutation-audit.ts); absent: not recorded. */
  mutationAudit?: MutationAuditSink;
  /** The caller's address and user agent: as the gateway saw them on its requests, else this process's peer. */
  client?: ClientInfo;
  /** The admin IP allowlists, checked on every mutation (platform/access-enforcement.ts); absent: not checked. */
  adminNetworks?: AdminNetworks;
}

export type SubgraphContext<Services, Loaders> = RequestContext & { services: Services; loaders: Loaders };

export function requirePrincipal(context: RequestContext): Principal {
  if (!context.principal) throw new UnauthenticatedError();
  return context.principal;
}

/**
 * Organisation isolation: a token is scoped to one organisation and never reads or
 * changes another's data, whatever ids the caller sends.
 */
export function requireOrganization(context: RequestContext, organizationId: string, field = 'organizationId'): Principal {
  const principal = requirePrincipal(context);
  assertOwnOrganization(principal, organizationId, field);
  return principal;
}

/** The same rule for a service that already holds the principal: another organization is FORBIDDEN. */
export function assertOwnOrganization(principal: Principal, organizationId: string, field = 'organizationId'): void {
  if (principal.organizationId !== organizationId) {
    throw new ForbiddenError(`${field}: your token is scoped to organization "${principal.organizationId}", not "${organizationId}"`, {
      field,
    });
  }
}
