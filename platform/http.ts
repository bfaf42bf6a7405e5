import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import type { RevocationCheck } from './auth/membership-revocations';
import type { Principal } from './auth/principal';
import type { TokenVerifier } from './auth/token-verifier';
import type { Logger } from './logger';
import { requestIdFrom } from './request-id';
import { authenticate } from './authenticate';
import type { DocumentLimits } from './config';
import { HTTP_STATUS_BY_CODE } from './errors';
import { documentTextProblem, refusalBody } from './limits/document-text';
import type { RateLimiter } from './rate-limit';

/** What every GraphQL request starts with, at the gateway and in each subgraph. */
export interface IncomingRequest {
  requestId: string;
  principal: Principal | null;
  logger: Logger;
  req: IncomingMessage;
}

/** The largest request body any process reads (`QUERY_MAX_BYTES` keeps the query text well below it). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface MountOptions<C> {
  logger: Logger;
  verifyToken: TokenVerifier;
  revocations: RevocationCheck;
  limiter?: RateLimiter;
  context: (request: IncomingRequest) => C;
  /** Size and token limits on the query text, checked before Apollo parses it. */
  limits: Pick<DocumentLimits, 'documentBytes' | 'tokens'>;
  /** Requests whose text needs no check (a subgraph: the gateway's own fetches, expanded from a document it admitted). */
  trustedText?: (req: IncomingMessage) => boolean;
  /** Rewrites a JSON body before anything reads it (the gateway: a manifest operation named by id gets its document). */
  resolveBody?: (body: unknown) => unknown;
}

/** The request id, the verified caller (or none) and a logger for them: the start of every GraphQL request. */
export function incomingRequest(
  options: Pick<MountOptions<unknown>, 'logger' | 'verifyToken' | 'revocations' | 'limiter'>,
): (req: IncomingMessage) => Promise<IncomingRequest> {
  return async (req) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const principal = await authenticate(req, options.verifyToken, options.revocations, options.limiter);
    return { requestId, principal, logger: options.logger.child({ requestId }), req };
  };
}

/**
 * Serves `server` at POST /graphql: reads the request id, verifies the bearer token, builds
 * the context. Query text over QUERY_MAX_BYTES or QUERY_MAX_TOKENS is refused (400,
 * QUERY_TOO_COMPLEX) before it is parsed.
 */
export function mountGraphql<C extends BaseContext>(app: Express, server: ApolloServer<C>, options: MountOptions<C>): void {
  const started = incomingRequest(options);
  const checkText: RequestHandler = (req, res, next) => {
    if (options.resolveBody && req.method === 'POST') req.body = options.resolveBody(req.body);
    if (options.trustedText?.(req)) return next();
    const query = req.method === 'GET' ? req.query.query : (req.body as { query?: unknown } | undefined)?.query;
    const problem = documentTextProblem(query, options.limits);
    if (problem) res.status(400).json(refusalBody(problem));
    else next();
  };
  app.use(
    '/graphql',
    express.json({ limit: BODY_LIMIT_BYTES }),
    checkText,
    expressMiddleware(server, { context: async ({ req }) => options.context(await started(req)) }),
  );
}

/** Listens and answers the port actually bound (0 picks a free one). */
export async function listen(httpServer: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve());
  });
  return (httpServer.address() as AddressInfo).port;
}

/** After every route: anything else answers 404 NOT_FOUND as coded JSON, never Express's HTML page. */
export function notFoundHandler(): RequestHandler {
  return (req, res) => {
    res.status(404).json({
      errors: [{ message: `No route for ${req.method} ${req.path.slice(0, 200)}`, extensions: { code: 'NOT_FOUND' } }],
    });
  };
}

/**
 * The last handler of every app: failures outside GraphQL (a body that is not JSON, a route
 * that throws) answer with a coded JSON error like any GraphQL error, never Express's HTML
 * page with a stack trace.
 */
export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: { status?: number; type?: string }, _req, res, _next) => {
    const status = error.status ?? 500;
    if (status >= 500) logger.error({ err: error }, 'unexpected HTTP error');
    const [code, message] =
      status === 413
        ? (['BAD_USER_INPUT', 'Request body is too large (at most 1 MB)'] as const)
        : status >= 400 && status < 500
          ? (['BAD_USER_INPUT', error.type === 'entity.parse.failed' ? 'Request body is not valid JSON' : 'Bad request'] as const)
          : (['INTERNAL', 'Internal server error'] as const);
    res.status(status >= 400 && status < 600 ? status : HTTP_STATUS_BY_CODE[code]).json({ errors: [{ message, extensions: { code } }] });
  };
}
