import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { ErrorRequestHandler, Express, Request } from 'express';
import type { RevocationCheck } from './auth/membership-revocations';
import type { Principal } from './auth/principal';
import type { TokenVerifier } from './auth/token-verifier';
import type { Logger } from './logger';
import { requestIdFrom } from './request-id';
import { authenticate } from './authenticate';
import { HTTP_STATUS_BY_CODE } from './errors';
import type { RateLimiter } from './rate-limit';

/** What every GraphQL request starts with, at the gateway and in each subgraph. */
export interface IncomingRequest {
  requestId: string;
  principal: Principal | null;
  logger: Logger;
  req: Request;
}

/** Serves `server` at POST /graphql: reads the request id, verifies the bearer token, builds the context. */
export function mountGraphql<C extends BaseContext>(
  app: Express,
  server: ApolloServer<C>,
  options: {
    logger: Logger;
    verifyToken: TokenVerifier;
    revocations: RevocationCheck;
    limiter?: RateLimiter;
    context: (request: IncomingRequest) => C;
  },
): void {
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(server, {
      context: async ({ req }) => {
        const requestId = requestIdFrom(req.headers['x-request-id']);
        const principal = await authenticate(req, options.verifyToken, options.revocations, options.limiter);
        return options.context({ requestId, principal, logger: options.logger.child({ requestId }), req });
      },
    }),
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
