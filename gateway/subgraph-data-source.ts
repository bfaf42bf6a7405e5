import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { InternalError, ServiceUnavailableError, isErrorCode } from '../subgraphs/kernel/errors';
import type { GatewayContext } from './context';

type FetcherResponse = Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0];
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * Calls one subgraph: forwards the caller's bearer token (each subgraph verifies it
 * again) and the request id, and turns a subgraph that does not answer into a clear
 * SERVICE_UNAVAILABLE error for the fields it owns.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly serviceName: string,
    url: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!('requestId' in context)) return; // the gateway's own health checks
    request.http?.headers.set('x-request-id', context.requestId);
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      if (isUnreachable(error)) throw new ServiceUnavailableError(this.serviceName);
      throw error;
    }
  }

  /**
   * The subgraph answered with an HTTP error (it refuses a bad token with 401, say): pass its
   * own coded error on, never the subgraph's URL or raw body.
   */
  override async errorFromResponse(response: FetcherResponse): Promise<GraphQLError> {
    const body = (await response.json().catch(() => undefined)) as
      { errors?: { message?: string; extensions?: { code?: unknown } }[] } | undefined;
    const first = body?.errors?.[0];
    if (first?.message && isErrorCode(first.extensions?.code)) {
      return new GraphQLError(first.message, { extensions: { code: first.extensions.code, service: this.serviceName } });
    }
    return response.status >= 500 ? new ServiceUnavailableError(this.serviceName) : new InternalError();
  }
}

function isUnreachable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code, type, name } = current as { code?: string; type?: string; name?: string };
    if ((code && UNREACHABLE_CODES.has(code)) || type === 'system' || name === 'FetchError') return true;
    current = (current as { cause?: unknown }).cause ?? (current as { originalError?: unknown }).originalError;
  }
  return false;
}
