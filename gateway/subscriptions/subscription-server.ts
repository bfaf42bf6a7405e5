import type { Server } from 'node:http';
import type { GraphQLDataSource } from '@apollo/gateway';
import type { ApolloServer } from '@apollo/server';
import { GraphQLError, getOperationAST, print } from 'graphql';
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLFormattedError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { RevocationCheck } from '../../platform/auth/membership-revocations';
import { directClient } from '../../platform/client-info';
import { DocumentCache } from '../../platform/document-cache';
import type { TokenVerifier } from '../../platform/auth/token-verifier';
import type { Config, DocumentLimits } from '../../platform/config';
import { RateLimitedError, TooManySubscriptionsError, UnauthenticatedError } from '../../platform/errors';
import type { createErrorFormatter } from '../../platform/format-error';
import { oversizedResult } from '../../platform/limits/response-size';
import type { Logger } from '../../platform/logger';
import type { RateLimiter } from '../../platform/rate-limit';
import { requestIdFrom } from '../../platform/request-id';
import {
  authenticateConnection,
  checkedOperation,
  formatSocketErrors,
  logOversizedMessages,
  operationRules,
  releaseConnection,
} from '../../platform/websocket';
import type { ConnectionState } from '../../platform/websocket';
import type { GatewayContext } from '../context';
import { CLOSE_TOO_SLOW, SharedSubscriptions, Subscriber } from './fan-out';
import type { DirectDelivery } from './fan-out';
import { InOrder } from './in-order';
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
  limits: DocumentLimits;
  webSocket: Config['webSocket'];
  responseMaxBytes: number;
  /** Sent to subgraphs on every upstream connection. */
  subgraphSecret: string;
  /** A refusal for a document the caller may not send (a partner's key: only its manifest operations). */
  refuseDocument?: (principal: GatewayContext['principal'], query: string) => GraphQLError | undefined;
}

type SocketContext = GatewayContext & {
  socket: DirectDelivery['socket'] & { close(code: number, reason: string): void };
  /** The graphql-ws operation id. */
  operationId: string;
};

/** The close code for a socket over WS_MAX_SOCKETS_PER_USER: the user's other sockets stay open. */
export const CLOSE_TOO_MANY_SOCKETS = 4430;

/** The graphql-ws connection context, as far as the caps need it. */
interface OpenSocket {
  subscriptions: Record<string, unknown>;
  extra: ConnectionState & { socket: { close(code: number, reason: string): void } };
}

/**
 * graphql-ws on the gateway's own HTTP server and path (ws://host:4000/graphql).
 * - The connection is authenticated from `connectionParams.authorization` with the same
 *   checks as HTTP; it is closed when the token expires (4401) and when the member is
 *   suspended or removed (4410).
 * - Limits: a message over WS_MAX_MESSAGE_BYTES closes the socket (1009); a user's socket
 *   beyond WS_MAX_SOCKETS_PER_USER is closed at connect (4430); a subscription beyond
 *   WS_MAX_SUBSCRIPTIONS_PER_SOCKET or WS_MAX_SUBSCRIPTIONS_PER_USER open ones answers
 *   TOO_MANY_SUBSCRIPTIONS. Caps count per gateway process.
 * - Every operation is validated against the supergraph's API schema with the same
 *   document limits as over HTTP.
 * - Queries and mutations run through the same Apollo pipeline as over HTTP, for the client
 *   address the connection was charged to (subgraphs hold admins' mutations to the admin IP
 *   allowlist on it, as over HTTP).
 * - Subscriptions are planned: the root field goes to its subgraph as a subscription, the
 *   event's other fields are fetched from their subgraphs per event. Identical
 *   subscriptions share the upstream and the per-event work.
 */
export function serveSubscriptions(
  httpServer: Server,
  options: SubscriptionServerOptions,
): { close(): Promise<void>; /** Subscriptions open on this gateway process. */ openSubscriptions(): number } {
  const { planner, logger } = options;
  const upstream = new UpstreamConnections(options.subgraphUrl, logger, options.subgraphSecret);
  // Each result is serialised once for all the clients that share it, as onNext below would format it.
  const shared = new SharedSubscriptions((result) =>
    JSON.stringify(
      result.errors ? { ...result, errors: result.errors.map((error) => options.formatError(formatted(error), error)) } : result,
    ),
  );
  const maxQueued = options.maxQueuedResults ?? 1_000;
  const caps = options.webSocket;
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: caps.maxMessageBytes });
  const rules = operationRules(options.limits);
  const documents = new DocumentCache();
  const printed = new WeakMap<DocumentNode, string>();
  const socketsByUser = new Map<string, Set<OpenSocket>>();

  const connect = async (ctx: OpenSocket & { connectionParams?: Readonly<Record<string, unknown>> }): Promise<boolean> => {
    if (!(await authenticateConnection(ctx, options.verifyToken, options.revocations, options.limiter))) return false;
    const userId = ctx.extra.principal?.userId;
    if (!userId) return true;
    const sockets = socketsByUser.get(userId) ?? new Set<OpenSocket>();
    if (sockets.size >= caps.maxSocketsPerUser) {
      releaseConnection(ctx.extra);
      ctx.extra.socket.close(CLOSE_TOO_MANY_SOCKETS, `Too many sockets: at most ${caps.maxSocketsPerUser} per user`);
      return false;
    }
    sockets.add(ctx);
    socketsByUser.set(userId, sockets);
    return true;
  };
  const disconnect = (ctx: OpenSocket) => {
    releaseConnection(ctx.extra);
    const userId = ctx.extra.principal?.userId;
    const ids = subscriptionIds.get(ctx);
    if (userId && ids) countClosed(userId, ids.size);
    ids?.clear();
    const sockets = userId ? socketsByUser.get(userId) : undefined;
    if (!sockets?.delete(ctx) || sockets.size > 0) return;
    socketsByUser.delete(userId!);
    openByUser.delete(userId!);
  };
  // The subscriptions each socket has open, by graphql-ws id (queries, which end at once, are not counted).
  const subscriptionIds = new WeakMap<OpenSocket, Set<string>>();
  // Per user, at least as many as are open (an end graphql-ws does not report is counted when the cap is near).
  const openByUser = new Map<string, number>();
  const countClosed = (userId: string, closed: number) => {
    const open = openByUser.get(userId);
    if (open !== undefined) openByUser.set(userId, Math.max(0, open - closed));
  };
  const openOn = (socket: OpenSocket): number => {
    const ids = subscriptionIds.get(socket);
    if (!ids) return 0;
    // graphql-ws forgets an operation however it ends: what it no longer holds is closed.
    for (const id of ids) if (!(id in socket.subscriptions)) ids.delete(id);
    return ids.size;
  };
  const overCap = (ctx: OpenSocket): TooManySubscriptionsError | undefined => {
    if (openOn(ctx) + 1 > caps.maxSubscriptionsPerSocket) return new TooManySubscriptionsError('socket', caps.maxSubscriptionsPerSocket);
    const userId = ctx.extra.principal?.userId;
    if (!userId) return undefined;
    let open = openByUser.get(userId) ?? 0;
    if (open + 1 > caps.maxSubscriptionsPerUser) {
      open = 0;
      for (const socket of socketsByUser.get(userId) ?? []) open += openOn(socket);
      openByUser.set(userId, open);
    }
    return open + 1 > caps.maxSubscriptionsPerUser ? new TooManySubscriptionsError('user', caps.maxSubscriptionsPerUser) : undefined;
  };

  const subscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const context = args.contextValue as SocketContext;
    if (!context.principal)
      return { errors: [new UnauthenticatedError('Subscriptions need a token: send it as connectionParams.authorization')] };
    const operation = getOperationAST(args.document, args.operationName);
    let text = printed.get(args.document);
    if (text === undefined) printed.set(args.document, (text = print(args.document)));
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
    // Results go from the shared subscription straight to the client's socket (fan-out.ts).
    const subscriber = new Subscriber(
      maxQueued,
      () => context.socket.close(CLOSE_TOO_SLOW, `Too slow: more than ${maxQueued} results waited to be sent`),
      () => leave(),
      { id: context.operationId, socket: context.socket },
    );
    leave = shared.join(key, subscriber, (deliver, finish) => {
      // Each event is executed as soon as it comes and delivered after the one before it.
      const inOrder = new InOrder(deliver);
      const upstreamVariables = Object.fromEntries(planned.variableUsages.map((name) => [name, variables[name]]));
      return upstream.subscribe(
        planned.subgraph,
        context.authorization,
        { query: planned.operation, operationName: planned.operationName, variables: upstreamVariables },
        {
          next: (event) => {
            inOrder.add(
              planner
                .executeEvent(planned, event, variables, context, options.dataSources, logger)
                .catch((error: unknown): ExecutionResult => {
                  logger.error({ err: error }, 'subscription event failed');
                  return { errors: [new GraphQLError('Internal server error', { extensions: { code: 'INTERNAL' } })] };
                }),
            );
          },
          error: (error) => {
            // The subgraph refused (an error message: FORBIDDEN, UNAUTHENTICATED…): pass its errors on as they are.
            const errors = Array.isArray(error)
              ? (error as GraphQLFormattedError[]).map(
                  (formatted) => new GraphQLError(formatted.message, { extensions: formatted.extensions, path: formatted.path }),
                )
              : undefined;
            inOrder.afterAll(() =>
              finish(errors ?? [new GraphQLError('The subscription ended upstream', { extensions: { code: 'SERVICE_UNAVAILABLE' } })]),
            );
          },
          complete: () => inOrder.afterAll(() => finish()),
        },
      );
    });
    return subscriber;
  };

  const disposable = useServer<Record<string, unknown> | undefined, ConnectionState>(
    {
      schema: planner.schema,
      onConnect: (ctx) => connect(ctx),
      onClose: (ctx) => disconnect(ctx),
      onSubscribe: async (ctx, id, payload) => {
        try {
          await options.limiter?.admit(ctx.extra.principal ?? null, ctx.extra.clientAddress ?? '');
        } catch (error) {
          if (error instanceof RateLimitedError) return [error];
          throw error;
        }
        const refused = options.refuseDocument?.(ctx.extra.principal ?? null, payload.query);
        if (refused) return [refused];
        const checked = checkedOperation(payload, { schema: planner.schema, limits: options.limits, rules, documents });
        if (Array.isArray(checked) || getOperationAST(checked.document, checked.operationName)?.operation !== 'subscription')
          return checked;
        const refusal = overCap(ctx);
        if (refusal) return [refusal];
        const ids = subscriptionIds.get(ctx) ?? new Set<string>();
        subscriptionIds.set(ctx, ids.add(id));
        const userId = ctx.extra.principal?.userId;
        if (userId) openByUser.set(userId, (openByUser.get(userId) ?? 0) + 1);
        return checked;
      },
      onComplete: (ctx, id) => {
        const userId = ctx.extra.principal?.userId;
        if (subscriptionIds.get(ctx)?.delete(id) && userId) countClosed(userId, 1);
      },
      onError: formatSocketErrors(options.formatError),
      context: (ctx, id, payload): SocketContext => {
        const requestId = requestIdFrom(undefined);
        return {
          requestId,
          principal: ctx.extra.principal ?? null,
          authorization: ctx.extra.authorization,
          // The address the connection was charged to, as over HTTP: subgraphs check the admin IP allowlist on it.
          client: directClient(ctx.extra.clientAddress || ctx.extra.request.socket.remoteAddress, ctx.extra.request.headers),
          logger: logger.child({ requestId, operationName: payload.operationName }),
          socket: ctx.extra.socket as SocketContext['socket'],
          operationId: id,
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
        const tooLarge = oversizedResult(response.body.singleResult, options.responseMaxBytes);
        return tooLarge ? { errors: [tooLarge] } : (response.body.singleResult as ExecutionResult);
      },
      subscribe,
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => options.formatError(formatted(error), error)) } : undefined,
    },
    wsServer,
  );
  logOversizedMessages(wsServer, logger);

  return {
    openSubscriptions: () => {
      let open = 0;
      for (const count of openByUser.values()) open += count;
      return open;
    },
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
