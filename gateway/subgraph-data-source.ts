import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { clientHeaders } from '../platform/client-info';
import { InternalError, ServiceUnavailableError, isErrorCode } from '../platform/errors';
import { SUBGRAPH_SECRET_HEADER } from '../platform/subgraph-credential';
import type { GatewayContext } from './context';

/** Errors of undici and the socket under it that mean the subgraph did not answer. */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export interface SubgraphDataSourceOptions {
  /** Most connections kept open to the subgraph; requests beyond it queue. */
  connections?: number;
  /** The subgraph credential, sent on every request: without it `_entities` and `_service` do not answer. */
  secret?: string;
  /** Told of each fetch (the metrics): whether the subgraph answered, and how long it took. */
  onFetch?: (subgraph: string, outcome: 'ok' | 'error', seconds: number) => void;
}

/**
 * Calls one subgraph: forwards the caller's bearer token (each subgraph verifies it
 * again) and the request id, shows the subgraph credential, and turns a subgraph that does not answer into a clear
 * SERVICE_UNAVAILABLE error for the fields it owns.
 *
 * Requests go through an undici pool of keep-alive connections: no new TCP connection
 * per fetch, and none of the WHATWG Request/Response/Headers objects a fetch() API builds
 * for every call (measured in BENCHMARKS.md).
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly pool: Pool;
  private readonly path: string;
  private readonly secret: string | undefined;
  private readonly onFetch: SubgraphDataSourceOptions['onFetch'];

  constructor(
    readonly serviceName: string,
    readonly url: string,
    options: SubgraphDataSourceOptions = {},
  ) {
    const parsed = new URL(url);
    this.path = `${parsed.pathname}${parsed.search}`;
    this.secret = options.secret;
    this.onFetch = options.onFetch;
    this.pool = new Pool(parsed.origin, { connections: options.connections ?? 128, pipelining: 1 });
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    if (!this.onFetch) return this.fetch(options);
    const started = performance.now();
    let outcome: 'ok' | 'error' = 'error';
    try {
      const response = await this.fetch(options);
      if (!response.errors?.some((error) => error.extensions?.code === 'SERVICE_UNAVAILABLE')) outcome = 'ok';
      return response;
    } finally {
      this.onFetch(this.serviceName, outcome, (performance.now() - started) / 1000);
    }
  }

  private async fetch(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request, context } = options;
    if (!request.query) throw new Error('Missing query');
    const headers: Record<string, string> = {};
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers[name] = value;
    headers['content-type'] = 'application/json';
    if (this.secret) headers[SUBGRAPH_SECRET_HEADER] = this.secret;
    // The gateway's own health checks carry no request context.
    if ('requestId' in context) {
      headers['x-request-id'] = context.requestId;
      if (context.authorization) headers.authorization = context.authorization;
      if (context.client) Object.assign(headers, clientHeaders(context.client));
    }
    const body = JSON.stringify({
      query: request.query,
      variables: request.variables,
      operationName: request.operationName,
      extensions: request.extensions,
    });

    let response: SubgraphAnswer;
    try {
      response = await answerOf(this.pool, { method: 'POST', path: this.path, headers, body });
    } catch (error) {
      if (isUnreachable(error)) throw new ServiceUnavailableError(this.serviceName);
      throw error;
    }
    const { statusCode, text } = response;
    if (statusCode < 200 || statusCode >= 300) throw this.errorFromResponse(statusCode, text);

    const contentType = response.contentType ?? '';
    const parsed: unknown =
      contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json') ? JSON.parse(text) : text;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`Expected JSON response body, but received: ${text}`);
    }
    if ('incomingRequestContext' in options) {
      restrictCachePolicy(options.incomingRequestContext.overallCachePolicy as CachePolicy, response.cacheControl);
    }
    return parsed as GatewayGraphQLResponse;
  }

  /**
   * The subgraph answered with an HTTP error (it refuses a bad token with 401, say): pass its
   * own coded error on, never the subgraph's URL or raw body.
   */
  private errorFromResponse(status: number, text: string): GraphQLError {
    let body: { errors?: { message?: string; extensions?: { code?: unknown } }[] } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    const first = body?.errors?.[0];
    if (first?.message && isErrorCode(first.extensions?.code)) {
      return new GraphQLError(first.message, { extensions: { code: first.extensions.code, service: this.serviceName } });
    }
    return status >= 500 ? new ServiceUnavailableError(this.serviceName) : new InternalError();
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** What the data source reads of a subgraph's answer. */
interface SubgraphAnswer {
  statusCode: number;
  /** The body as UTF-8 text (a byte order mark skipped, as undici's `body.text()` does). */
  text: string;
  /** The header's value, several joined by commas (as undici's parsed headers print). */
  contentType: string | undefined;
  cacheControl: string | undefined;
}

/**
 * One request through the pool, the answer collected straight from undici's dispatcher: the
 * same request `pool.request()` sends and the same errors, without the headers object, the
 * body stream and the promises that `request()` and `body.text()` build around every answer
 * (a share of the gateway's CPU for each fetch of each wave, measured in BENCHMARKS.md).
 */
function answerOf(pool: Dispatcher, request: Dispatcher.DispatchOptions): Promise<SubgraphAnswer> {
  return new Promise((resolve, reject) => {
    let statusCode = 0;
    let contentType: string | undefined;
    let cacheControl: string | undefined;
    const chunks: Buffer[] = [];
    let length = 0;
    pool.dispatch(request, {
      onConnect: () => undefined,
      onError: reject,
      onHeaders: (status, rawHeaders) => {
        // 1xx informational answers come before the real one.
        if (status < 200 && status >= 100) return true;
        statusCode = status;
        for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
          const name = rawHeaders[index]!;
          // Header names in any case; only the lengths of the two it reads are turned into text.
          if (name.length === 12 && name.toString('latin1').toLowerCase() === 'content-type') {
            const value = rawHeaders[index + 1]!.toString('latin1');
            contentType = contentType === undefined ? value : `${contentType},${value}`;
          } else if (name.length === 13 && name.toString('latin1').toLowerCase() === 'cache-control') {
            const value = rawHeaders[index + 1]!.toString('latin1');
            cacheControl = cacheControl === undefined ? value : `${cacheControl},${value}`;
          }
        }
        return true;
      },
      onData: (chunk) => {
        chunks.push(chunk);
        length += chunk.length;
        return true;
      },
      onComplete: () => {
        const buffer = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
        const start = buffer.length > 2 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
        resolve({ statusCode, text: buffer.toString('utf8', start), contentType, cacheControl });
      },
    });
  });
}

type CachePolicy = { restrict?(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void } | undefined;

/** As @apollo/gateway does: the subgraph's Cache-Control header bounds the whole response's cache policy. */
function restrictCachePolicy(policy: CachePolicy, header: string | string[] | undefined): void {
  if (!policy || typeof policy.restrict !== 'function') return;
  const directives = new Map<string, string | true>();
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value) {
    for (const part of value.trim().split(/\s*,\s*/)) {
      const [key, argument] = part.split(/\s*=\s*/, 2);
      if (key) directives.set(key, argument === undefined ? true : argument.replace(/^"|"$/g, ''));
    }
  }
  const maxAge = directives.get('max-age');
  const hint: { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } = {
    maxAge: typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge) ? +maxAge : 0,
  };
  if (directives.get('private') === true) hint.scope = 'PRIVATE';
  if (directives.get('public') === true) hint.scope = 'PUBLIC';
  policy.restrict(hint);
}

function isUnreachable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const { code } = current as { code?: string };
    if (code && UNREACHABLE_CODES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
