import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Express, Request } from 'express';
import type { Principal } from './auth/principal';
import type { TokenVerifier } from './auth/token-verifier';
import type { Logger } from './logger';
import { requestIdFrom } from './request-id';
import { authenticate } from './authenticate';

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
  options: { logger: Logger; verifyToken: TokenVerifier; context: (request: IncomingRequest) => C },
): void {
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(server, {
      context: async ({ req }) => {
        const requestId = requestIdFrom(req.headers['x-request-id']);
        const principal = await authenticate(req, options.verifyToken);
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
