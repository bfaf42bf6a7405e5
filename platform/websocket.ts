import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, Kind, createSourceEventStream, execute, getOperationAST, parse, specifiedRules, validate } from 'graphql';
import type { DocumentNode, ExecutionArgs, ExecutionResult, GraphQLFormattedError, GraphQLSchema, ValidationRule } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { RevocationCheck } from './auth/membership-revocations';
import type { Principal } from './auth/principal';
import { bearerToken } from './auth/token-verifier';
import type { TokenVerifier } from './auth/token-verifier';
import { enforceFieldAccess } from './access-enforcement';
import type { RequestContext } from './context';
import type { DocumentLimits } from './config';
import { DocumentCache } from './document-cache';
import { CodedError, RateLimitedError, ServiceUnavailableError, UnauthenticatedError } from './errors';
import type { RateLimiter } from './rate-limit';
import type { createErrorFormatter } from './format-error';
import { documentLimitRules } from './limits/document-rules';
import { documentTextProblem } from './limits/document-text';
import type { Logger } from './logger';
import { requestIdFrom } from './request-id';

/** The close code a client acts on by signing in again (a refused token at connect is graphql-ws's own 4403). */
export const CLOSE_UNAUTHORIZED = 4401;
/** The token could not be checked now (identity's keys are unavailable): WebSocket's own "try again later". */
export const CLOSE_TRY_AGAIN_LATER = 1013;
/** Over the rate limit at connect; the reason says when to retry (graphql-ws clients do not retry 4429 on their own). */
export const CLOSE_RATE_LIMITED = 4429;
/** The member was suspended or removed from the organization while connected: signing in again will not help. */
export const CLOSE_MEMBERSHIP_REVOKED = 4410;
/** `ws` closes a socket whose message is larger than WS_MAX_MESSAGE_BYTES with 1009 (RFC 6455: message too big). */
export const CLOSE_MESSAGE_TOO_BIG = 1009;

/** What the server keeps per connection beside graphql-ws's own socket and request. */
export type ConnectionState = {
  principal?: Principal;
  /** `Bearer <token>`, as it came: forwarded when the gateway subscribes upstream. */
  authorization?: string;
  expiryTimer?: NodeJS.Timeout;
  /** The caller's address, when a rate limiter charges this connection's operations. */
  clientAddress?: string;
  stopWatching?: () => void;
};

/** The document checks every subscribe message goes through, at the gateway and in every subgraph. */
export interface OperationChecks {
  schema: GraphQLSchema;
  limits: DocumentLimits;
}

/**
 * A subscribe message to execution arguments, with the same limits as over HTTP: the query
 * text's size and tokens before it is parsed (unless `trustedText`: the gateway's own
 * upstream subscriptions), then graphql's rules and the document limits. Errors carry codes
 * (parse and validation failures as Apollo names them, mapped to BAD_USER_INPUT by the
 * error formatter). With `documents`, a text that passed before is not checked again.
 */
export function checkedOperation(
  payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
  checks: OperationChecks & { rules: readonly ValidationRule[]; trustedText?: boolean; documents?: DocumentCache },
): Omit<ExecutionArgs, 'contextValue'> | GraphQLError[] {
  const key =
    checks.documents && typeof payload.query === 'string' ? DocumentCache.keyOf(payload.query, checks.trustedText ? 'trusted' : '') : '';
  let document = key ? checks.documents!.get(key) : undefined;
  if (!document) {
    const checked = checkedDocument(payload.query, checks);
    if (Array.isArray(checked)) return checked;
    document = checked;
    if (key) checks.documents!.set(key, document);
  }
  return { schema: checks.schema, document, operationName: payload.operationName, variableValues: payload.variables };
}

function checkedDocument(
  query: string,
  checks: OperationChecks & { rules: readonly ValidationRule[]; trustedText?: boolean },
): DocumentNode | GraphQLError[] {
  if (!checks.trustedText) {
    const problem = documentTextProblem(query, checks.limits);
    if (problem) return [problem];
  }
  let document;
  try {
    document = parse(query);
  } catch (error) {
    const message = error instanceof GraphQLError ? error.message : 'Query could not be parsed';
    return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
  }
  const errors = validate(checks.schema, document, checks.rules);
  if (errors.length > 0) {
    return errors.map((error) =>
      error.originalError instanceof CodedError || error instanceof CodedError
        ? error
        : new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    );
  }
  return document;
}

/**
 * A message over `maxPayload` makes `ws` close the socket with 1009 and emit an error, which
 * graphql-ws would print to the console for every such message: log it here instead, at
 * debug (it is the client's doing), and leave anything else as graphql-ws handles it.
 * Call after `useServer`, whose listener this replaces.
 */
export function logOversizedMessages(wsServer: WebSocketServer, logger: Logger): void {
  wsServer.on('connection', (socket) => {
    const [graphqlWsListener] = socket.listeners('error') as ((error: Error) => void)[];
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') logger.debug({ err: error }, 'WebSocket message too big: socket closed');
      else graphqlWsListener?.(error);
    });
  });
}

/** graphql's rules and the document limits, built once per server. */
export function operationRules(limits: DocumentLimits): ValidationRule[] {
  return [...specifiedRules, ...documentLimitRules(limits)];
}

/** graphql-ws `onError`: every error a client receives goes through the error formatter, as over HTTP. */
export function formatSocketErrors(
  formatError: ReturnType<typeof createErrorFormatter>,
): (ctx: unknown, id: string, payload: unknown, errors: readonly GraphQLError[]) => GraphQLFormattedError[] {
  return (_ctx, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error));
}

/**
 * graphql-ws `onConnect`, at the gateway and in every subgraph: no token is an anonymous
 * connection (only `@public` fields answer); a token is verified as over HTTP, and a bad
 * one, or one of a suspended or removed member, refuses the connection (4403). The socket
 * closes with 4401 when the token expires, and with 4410 when the member is suspended or
 * removed (every subscription on it ends). With a limiter (the gateway), the connection is
 * charged like an HTTP request (4429 over budget).
 */
export async function authenticateConnection(
  ctx: {
    connectionParams?: Readonly<Record<string, unknown>>;
    extra: ConnectionState & { socket: { close(code: number, reason: string): void }; request?: IncomingMessage };
  },
  verifyToken: TokenVerifier,
  revocations: RevocationCheck,
  limiter?: RateLimiter,
): Promise<boolean> {
  const header = ctx.connectionParams?.authorization;
  const address = limiter && ctx.extra.request ? limiter.clientAddress(ctx.extra.request) : '';
  ctx.extra.clientAddress = address;
  try {
    let token: string | undefined;
    let principal: Principal | null = null;
    try {
      token = header === undefined || header === '' ? undefined : bearerToken(typeof header === 'string' ? header : undefined);
      if (token) principal = await verifyToken(token);
    } catch (error) {
      if (limiter && error instanceof UnauthenticatedError) await limiter.chargeFailedAuthentication(address);
      throw error;
    }
    await limiter?.admit(principal, address);
    if (!token || !principal) return true;
    await revocations.assertActive(principal);
    ctx.extra.principal = principal;
    ctx.extra.authorization = `Bearer ${token}`;
    ctx.extra.expiryTimer = setTimeout(
      () => ctx.extra.socket.close(CLOSE_UNAUTHORIZED, 'Token expired: sign in again'),
      // setTimeout takes at most 2^31-1 ms (24.8 days): an API key may live longer than that.
      Math.min(Math.max(0, principal.expiresAt.getTime() - Date.now()), 2_147_483_647),
    );
    ctx.extra.stopWatching = revocations.watch(principal, () =>
      ctx.extra.socket.close(CLOSE_MEMBERSHIP_REVOKED, 'Membership suspended or removed'),
    );
    return true;
  } catch (error) {
    if (error instanceof RateLimitedError) ctx.extra.socket.close(CLOSE_RATE_LIMITED, error.message);
    if (error instanceof ServiceUnavailableError)
      ctx.extra.socket.close(CLOSE_TRY_AGAIN_LATER, 'Token cannot be verified now: retry shortly');
    return false;
  }
}

/** graphql-ws `onClose`: what `authenticateConnection` set up goes. */
export function releaseConnection(state: ConnectionState): void {
  clearTimeout(state.expiryTimer);
  state.stopWatching?.();
}

export interface WebSocketOptions {
  subgraph: string;
  schema: GraphQLSchema;
  verifyToken: TokenVerifier;
  revocations: RevocationCheck;
  logger: Logger;
  formatError: ReturnType<typeof createErrorFormatter>;
  limits: DocumentLimits;
  /** Larger messages close the socket (1009). */
  maxMessageBytes: number;
  /** Whether the upgrade request carries the gateway's credential. */
  isGateway: (request: IncomingMessage) => boolean;
  /** `request`: the upgrade request, whose peer (or, from the gateway, whose client headers) is the caller's address. */
  context: (principal: Principal | null, requestId: string, gateway: boolean, request: IncomingMessage) => RequestContext;
  /**
   * The context one event's fields resolve in: the subscription's, with what must not
   * outlive the event (its DataLoaders) made anew, so no event sees what an earlier one cached.
   */
  eventContext: (subscriptionContext: RequestContext) => RequestContext;
}

/**
 * graphql-ws on the subgraph's own HTTP server and path (`/graphql`): the gateway
 * subscribes here. The connection carries the caller's token in
 * `connectionParams.authorization`, verified as over HTTP; the socket closes when the
 * token expires. A subscription is checked against its root field's access directives
 * before it starts (FORBIDDEN as an error message), and its fields again on every event.
 */
export function serveWebSocket(httpServer: Server, options: WebSocketOptions): { close(): Promise<void> } {
  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: options.maxMessageBytes });
  const rules = operationRules(options.limits);
  const documents = new DocumentCache();
  const disposable = useServer<Record<string, unknown> | undefined, ConnectionState>(
    {
      schema: options.schema,
      onConnect: (ctx) => authenticateConnection(ctx, options.verifyToken, options.revocations),
      onClose: (ctx) => releaseConnection(ctx.extra),
      onError: formatSocketErrors(options.formatError),
      onSubscribe: async (ctx, _id, payload) => {
        const gateway = options.isGateway(ctx.extra.request);
        const checked = checkedOperation(payload, {
          schema: options.schema,
          limits: options.limits,
          rules,
          trustedText: gateway,
          documents,
        });
        if (Array.isArray(checked)) return checked;
        const { document } = checked;
        const contextValue = options.context(ctx.extra.principal ?? null, requestIdFrom(undefined), gateway, ctx.extra.request);
        const args: ExecutionArgs = { ...checked, contextValue };
        const operation = getOperationAST(document, payload.operationName);
        if (operation?.operation === 'subscription') {
          const rootType = options.schema.getSubscriptionType()!;
          try {
            for (const selection of operation.selectionSet.selections) {
              if (selection.kind !== Kind.FIELD || selection.name.value.startsWith('__')) continue;
              const field = rootType.getFields()[selection.name.value];
              if (!field) continue;
              const fieldArgs = getArgumentValues(field, selection, payload.variables ?? {});
              await enforceFieldAccess(contextValue, options.subgraph, rootType, selection.name.value, fieldArgs, undefined);
            }
          } catch (error) {
            if (error instanceof CodedError) return [error];
            throw error;
          }
        }
        return args;
      },
      subscribe: (args) => subscribeEventByEvent(args, options.eventContext),
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: result.errors.map((error) => options.formatError(error.toJSON(), error)) } : undefined,
    },
    wsServer,
  );
  logOversizedMessages(wsServer, options.logger);
  return {
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

/**
 * graphql-js's `subscribe`, except that every event executes in a context of its own
 * (`eventContext`): a subscription lives for hours, and loaders kept for its whole life
 * would answer a renamed organization's old name and hold every row they ever loaded.
 */
async function subscribeEventByEvent(
  args: ExecutionArgs,
  eventContext: (subscriptionContext: RequestContext) => RequestContext,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream;
  const source = stream[Symbol.asyncIterator]();
  const executeEvent = async (step: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> =>
    step.done
      ? { done: true, value: undefined }
      : {
          done: false,
          value: await execute({ ...args, rootValue: step.value, contextValue: eventContext(args.contextValue as RequestContext) }),
        };
  // Not an async generator: its return() would wait for the next event before ending the source.
  const results: AsyncIterableIterator<ExecutionResult> = {
    next: () => source.next().then(executeEvent),
    return: async () => {
      await source.return?.();
      return { done: true, value: undefined };
    },
    throw: async (error: unknown) => {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => results,
  };
  return results;
}
