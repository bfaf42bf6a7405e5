import type { Server } from 'node:http';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { ApolloServer } from '@apollo/server';
import { GraphQLError, getOperationAST, print } from 'graphql';
import type { ExecutionArgs, ExecutionResult, GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { RevocationCheck } from '../../platform/auth/membership-revocations';
import type { TokenVerifier } from '../../platform/auth/token-verifier';
import { RateLimitedError, UnauthenticatedError } from '../../platform/errors';
import type { createErrorFormatter } from '../../platform/format-error';
import type { Logger } from '../../platform/logger';
import type { RateLimiter } from '../../platform/rate-limit';
import { requestIdFrom } from '../../platform/request-id';
import { authenticateConnection, releaseConnection } from '../../platform/websocket';
import type { ConnectionState } from '../../platform/websocket';
import type { GatewayContext } from '../context';
import { CLOSE_TOO_SLOW, SharedSubscriptions, Subscriber } from './fan-out';
import type { SubscriptionPlanner } from './subscription-planner';
import { UpstreamConnections } from './upstream';

export interface SubscriptionServerOptions {
  apollo: ApolloServer<GatewayContext>;
  planner: SubscriptionPlanner;
  dataSources: Record<string, GraphQLDataSource<GatewayContext>>;
  subgraphUrl: (name: string) => string;
  verifyToken: TokenVerifier;
  revocations: RevocationCheck;
  logger: Logger;
  formatError: ReturnType<typeof createErrorFormatter>;
  /** Results a client may fall behind by before it is dropped. */
  maxQueuedResults?: number;
  /** Charges each connection and each operation over it to its caller. */
  limiter?: RateLimiter;
}

type SocketContext = GatewayContext & { socket: { close(code: number, reason: string): void } };

/**
 * graphql-ws on the gateway's own HTTP server and path (ws://host:4000/graphql).
 * - The connection is authenticated from `connectionParams.authorization` with the same
 *   checks as HTTP; it is closed when the token expires (4401) and when the member is
 *   suspended or removed (4410).
 * - Every operation is validated against the supergraph's API schema (graphql-ws does it).
 * - Queries and mutations run through the same Apollo pipeline as over HTTP.
 * - Subscriptions are planned: the root field goes to its subgraph as a subscription, the
 *   event's other fields are fetched from their subgraphs per event. Identical
 *   subscriptions share the upstream and the per-event work.
 */
export function serveSubscriptions(httpServer: Server, options: SubscriptionServerOptions): { close(): Promise<void> } {
  const { planner, logger } = options;
  const upstream = new UpstreamConnections(options.subgraphUrl, logger);
  const shared = new SharedSubscriptions();
  const maxQueued = options.maxQueuedResults ?? 1_000;
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });

  const subscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const context = args.contextValue as SocketContext;
    if (!context.principal)
      return { errors: [new UnauthenticatedError('Subscriptions need a token: send it as connectionParams.authorization')] };
    const operation = getOperationAST(args.document, args.operationName);
    const text = print(args.document);
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    let planned;
    try {
      planned = planner.plan(args.document, text, args.operationName ?? operation?.name?.value);
    } catch (error) {
      logger.error({ err: error }, 'could not plan a subscription');
      return { errors: [new GraphQLError('This subscription could not be planned', { extensions: { code: 'INTERNAL' } })] };
    }
    const key = SharedSubscriptions.keyOf({
      authorization: context.authorization ?? '',
      document: text,
      operationName: args.operationName ?? undefined,
      variables,
    });
    let leave = () => {};
    const subscriber = new Subscriber(
      maxQueued,
      () => context.socket.close(CLOSE_TOO_SLOW, `Too slow: more than ${maxQueued} results waited to be sent`),
      () => leave(),
    );
    leave = shared.join(key, subscriber, (deliver, finish) => {
      // Events are executed one after another, so every client sees them in order.
      let chain = Promise.resolve();
      const upstreamVariables = Object.fromEntries(planned.variableUsages.map((name) => [name, variables[name]]));
      return upstream.subscribe(
        planned.subgraph,
        context.authorization,
        { query: planned.operation, operationName: planned.operationName, variables: upstreamVariables },
        {
          next: (event) => {
            chain = chain.then(async () => {
              const result = await planner
                .executeEvent(planned, event, variables, context, options.dataSources, logger)
                .catch((error: unknown) => {
                  logger.error({ err: error }, 'subscription event failed');
                  return { errors: [new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL' } })] };
                });
              deliver(result);
            });
          },
          error: (error) => {
            // The subgraph refused (an error message: FORBIDDEN, UNAUTHENTICATED…): pass its errors on as they are.
            const errors = Array.isArray(error)
              ? (error as GraphQLFormattedError[]).map(
                  (formatted) => new GraphQLError(formatted.message, { extensions: formatted.extensions, path: formatted.path }),
                )
              : undefined;
            void chain.then(() =>
              finish(errors ?? [new GraphQLError('The subscription ended upstream', { extensions: { code: 'SERVICE_UNAVAILABLE' } })]),
            );
          },
          complete: () => void chain.then(() => finish()),
        },
      );
    });
    return subscriber;
  };

  const disposable = useServer<Record<string, unknown> | undefined, ConnectionState>(
    {
      schema: planner.schema,
      onConnect: (ctx) => authenticateConnection(ctx, options.verifyToken, options.revocations, options.limiter),
      onClose: (ctx) => releaseConnection(ctx.extra),
      onSubscribe: async (ctx) => {
        try {
          await options.limiter?.admit(ctx.extra.principal ?? null, ctx.extra.clientAddress ?? '');
        } catch (error) {
          if (error instanceof RateLimitedError) return [error];
          throw error;
        }
        return undefined;
      },
      context: (ctx, _id, payload): SocketContext => {
        const requestId = requestIdFrom(undefined);
        return {
          requestId,
          principal: ctx.extra.principal ?? null,
          authorization: ctx.extra.authorization,
          logger: logger.child({ requestId, operationName: payload.operationName }),
          socket: ctx.extra.socket,
        };
      },
      execute: async (args) => {
        const response = await options.apollo.executeOperation(
          {
            query: print(args.document),
            variables: (args.variableValues ?? undefined) as Record<string, unknown> | undefined,
            operationName: args.operationName ?? undefined,
          },
          { contextValue: args.contextValue as GatewayContext },
        );
        if (response.body.kind !== 'single') return { errors: [new GraphQLError('Incremental delivery is not supported over WebSocket')] };
        return response.body.singleResult as ExecutionResult;
      },
      subscribe,
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => options.formatError(formatted(error), error)) } : undefined,
    },
    wsServer,
  );

  return {
    close: async () => {
      await disposable.dispose();
      await upstream.close();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

function formatted(error: GraphQLError | GraphQLFormattedError): GraphQLFormattedError {
  return error instanceof GraphQLError ? error.toJSON() : error;
}
