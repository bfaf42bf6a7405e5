import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { clientHeaders, directClient } from '../platform/client-info';
import { CLIENT_IP_HEADER, CLIENT_USER_AGENT_HEADER } from '../platform/client-info';
import { BadUserInputError, CodedError, HTTP_STATUS_BY_CODE, RateLimitedError, ServiceUnavailableError } from '../platform/errors';
import { BODY_LIMIT_BYTES } from '../platform/http';
import type { Logger } from '../platform/logger';
import type { RateLimiter } from '../platform/rate-limit';
import { SUBGRAPH_SECRET_HEADER } from '../platform/subgraph-credential';

/** A path prefix the gateway hands to a subgraph's own HTTP server, path and query unchanged. */
export interface ForwardedRoute {
  prefix: string;
  subgraph: string;
  /** The subgraph's origin (`http://host:port`). */
  origin: string;
}

/** What the gateway forwards: sign-in's routes are identity's (subgraphs/identity/routes.ts). */
export const FORWARDED_PREFIXES = [{ prefix: '/api/v1/auth/', subgraph: 'identity' }] as const satisfies readonly Omit<
  ForwardedRoute,
  'origin'
>[];

export interface ForwardingOptions {
  routes: readonly ForwardedRoute[];
  limiter: RateLimiter;
  subgraphSecret: string;
  logger: Logger;
  /** How long the subgraph may take to answer before the client gets 503. */
  timeoutMs?: number;
}

/** RFC 9110 §7.6.1: headers of one connection, never passed on. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);
/** Headers only the gateway may set: a client that sends them is not believed. */
const GATEWAY_ONLY = new Set([SUBGRAPH_SECRET_HEADER, CLIENT_IP_HEADER, CLIENT_USER_AGENT_HEADER]);

function sendError(res: ServerResponse, error: CodedError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  if (error instanceof RateLimitedError) headers['retry-after'] = String(error.retryAfterSeconds);
  res.writeHead(HTTP_STATUS_BY_CODE[error.code], headers);
  res.end(JSON.stringify({ errors: [{ message: error.message, extensions: error.extensions }] }));
}

/**
 * Routes that are a subgraph's own (identity's `/api/v1/auth/*`), served on the gateway's
 * single origin: each request is charged to its caller's address by the gateway's rate
 * limiter (an answer of 401 costs the address as a refused token does), then streamed to the
 * subgraph with the gateway's credential and the client's address and user agent, and the
 * answer streamed back. A body over 1 MB is refused; a subgraph that does not answer is 503,
 * always as a coded JSON error.
 */
export function forwardRoutes(options: ForwardingOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return (req, res) => {
    const url = req.url ?? '/';
    const target = options.routes.find((candidate) => url.startsWith(candidate.prefix));
    if (!target) return false;
    void forward(req, res, target, url).catch((error: unknown) => {
      options.logger.error({ err: error, path: url.split('?')[0] }, 'forwarded route failed');
      sendError(res, new ServiceUnavailableError(target.subgraph));
    });
    return true;
  };

  async function forward(req: IncomingMessage, res: ServerResponse, target: ForwardedRoute, url: string): Promise<void> {
    const address = options.limiter.clientAddress(req);
    try {
      await options.limiter.admit(null, address);
    } catch (error) {
      req.resume();
      if (error instanceof CodedError) return sendError(res, error);
      throw error;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > BODY_LIMIT_BYTES) {
      req.resume();
      return sendError(res, new BadUserInputError('Request body is too large (at most 1 MB)'));
    }
    const headers: IncomingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(name) && !GATEWAY_ONLY.has(name)) headers[name] = value;
    }
    Object.assign(headers, clientHeaders(directClient(address, req.headers)), { [SUBGRAPH_SECRET_HEADER]: options.subgraphSecret });

    await new Promise<void>((resolve, reject) => {
      let refused = false;
      const upstream = httpRequest(new URL(url, target.origin), { method: req.method, headers, timeout: timeoutMs }, (answer) => {
        if (answer.statusCode === 401) {
          // A refused refresh token costs its address like a refused bearer token.
          options.limiter.chargeFailedAuthentication(address).catch(() => undefined);
        }
        const answerHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(answer.headers)) {
          if (value !== undefined && !HOP_BY_HOP.has(name)) answerHeaders[name] = value;
        }
        res.writeHead(answer.statusCode ?? 502, answerHeaders);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', reject);
      });
      upstream.on('timeout', () => upstream.destroy(new Error(`${target.subgraph} did not answer within ${timeoutMs} ms`)));
      upstream.on('error', (error) => (refused ? resolve() : reject(error)));
      let received = 0;
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > BODY_LIMIT_BYTES && !refused) {
          refused = true;
          upstream.destroy();
          req.unpipe(upstream);
          req.resume();
          sendError(res, new BadUserInputError('Request body is too large (at most 1 MB)'));
          resolve();
        }
      });
      req.pipe(upstream);
    });
  }
}
