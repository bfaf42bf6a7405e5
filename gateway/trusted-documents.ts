import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Logger } from '../platform/logger';
import type { Principal } from '../platform/auth/principal';
import { ForbiddenError, HTTP_STATUS_BY_CODE } from '../platform/errors';
import type { OperationManifest } from '../platform/operation-manifest';

/** Why a partner's request was refused, in the error's `extensions.reason`. */
export const TRUSTED_DOCUMENTS_ONLY = 'TRUSTED_DOCUMENTS_ONLY';

export interface TrustedDocuments {
  /**
   * A request naming a manifest operation by id (`{"documentId": "<sha256>"}`, or Apollo's
   * `extensions.persistedQuery.sha256Hash` without a query) gets its document; a `documentId`
   * the manifest does not hold becomes an automatic persisted query, which Apollo Server
   * answers `PERSISTED_QUERY_NOT_FOUND`. Any other body is returned as it is.
   */
  resolveBody(body: unknown): unknown;
  /** True unless the caller is a partner's key and the document is not one of its operations. */
  allows(principal: Principal | null, query: string | undefined, queryHash?: string): boolean;
  /** The error refusing what `allows` refuses (noted in the log with the key's count of refusals); undefined when allowed. */
  refusal(principal: Principal | null, query: string | undefined): ForbiddenError | undefined;
  /** The Apollo Server plugin refusing what `allows` refuses. */
  plugin<C extends BaseContext & { principal: Principal | null }>(): ApolloServerPlugin<C>;
}

export function trustedDocuments(manifest: OperationManifest, logger: Logger): TrustedDocuments {
  const byId = new Map(manifest.operations.map((operation) => [operation.id, operation]));
  const idsByName = new Map(manifest.operations.map((operation) => [operation.name, operation.id]));
  const allowedByKey = new WeakMap<readonly string[], Set<string>>();
  const allowedIds = (operations: readonly string[]) => {
    let ids = allowedByKey.get(operations);
    if (!ids) {
      ids = new Set(operations.map((name) => idsByName.get(name)).filter((id): id is string => id !== undefined));
      allowedByKey.set(operations, ids);
    }
    return ids;
  };
  const refusals = new Map<string, number>();

  const allows: TrustedDocuments['allows'] = (principal, query, queryHash) => {
    const operations = principal?.apiKey?.operations;
    if (!operations) return true;
    if (query === undefined) return false;
    return allowedIds(operations).has(queryHash ?? createHash('sha256').update(query).digest('hex'));
  };

  const refusal: TrustedDocuments['refusal'] = (principal, query) => {
    if (allows(principal, query)) return undefined;
    const key = principal!.apiKey!.id;
    const count = (refusals.get(key) ?? 0) + 1;
    refusals.set(key, count);
    if (refusals.size > 10_000) refusals.delete(refusals.keys().next().value!);
    logger.warn({ apiKey: key, organizationId: principal!.organizationId, refusals: count }, 'partner document refused');
    const error = new ForbiddenError(
      'This API key runs only its operations of the manifest: send {"documentId": "<id>"} of one of them (schema/operation-manifest.json)',
      { reason: TRUSTED_DOCUMENTS_ONLY },
    );
    error.extensions.http = { status: HTTP_STATUS_BY_CODE.FORBIDDEN };
    return error;
  };

  return {
    refusal,
    resolveBody(body) {
      if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
      // The usual request (a document, no id) leaves untouched and unallocated: this runs on every one.
      if (typeof (body as { query?: unknown }).query === 'string' && !('documentId' in body)) return body;
      const { documentId, extensions, query, ...rest } = body as Record<string, unknown>;
      const persisted = (extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery;
      const id = typeof documentId === 'string' ? documentId : typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
      if (id === undefined || (query !== undefined && documentId === undefined)) return body;
      const operation = byId.get(id);
      if (!operation) {
        if (documentId === undefined) return body;
        return { ...rest, extensions: { ...(extensions as object), persistedQuery: { version: 1, sha256Hash: id } } };
      }
      const { persistedQuery: _persisted, ...otherExtensions } = (extensions ?? {}) as Record<string, unknown>;
      return {
        ...rest,
        query: operation.body,
        operationName: operation.name,
        ...(Object.keys(otherExtensions).length > 0 ? { extensions: otherExtensions } : {}),
      };
    },
    allows,
    plugin<C extends BaseContext & { principal: Principal | null }>(): ApolloServerPlugin<C> {
      return {
        async requestDidStart() {
          return {
            async didResolveOperation({ contextValue, source }) {
              const error = refusal(contextValue.principal, source);
              if (error) throw error;
            },
          };
        },
      };
    },
  };
}
