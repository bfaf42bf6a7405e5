import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { ExecutionResult, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import express from 'express';
import { directClient } from '../platform/client-info';
import type { RevocationCheck } from '../platform/auth/membership-revocations';
import { createTokenVerifier } from '../platform/auth/token-verifier';
import type { TokenVerifier } from '../platform/auth/token-verifier';
import type { Config, SubgraphName } from '../platform/config';
import { HTTP_STATUS_BY_CODE, UnauthenticatedError } from '../platform/errors';
import { createErrorFormatter } from '../platform/format-error';
import type { Logger } from '../platform/logger';
import { jsonErrorHandler, listen, mountGraphql, notFoundHandler } from '../platform/http';
import type { MountOptions } from '../platform/http';
import { documentLimitRules } from '../platform/limits/document-rules';
import { boundedStringify } from '../platform/limits/response-size';
import { createMessaging } from '../platform/outbox/messaging';
import type { Messaging } from '../platform/outbox/messaging';
import { createRateLimiter } from '../platform/rate-limit';
import { securityHeaders } from '../platform/security-headers';
import { subgraphSecretFor } from '../platform/subgraph-credential';
import type { RunningServer } from '../platform/server';
import type { GatewayContext } from './context';
import { createGraphqlFastPath } from '../platform/graphql-http';
import { createLeanExecution } from '../platform/lean-execution';
import type { LeanExecution } from '../platform/lean-execution';
import { protectedRootFields, publicRootFields } from './public-fields';
import { OPENAPI_PATH, SUPERGRAPH_PATH } from './schema-paths';
import { operationManifest } from '../platform/operation-manifest';
import { createRestShim } from './rest/rest-handler';
import { REST_ROUTES } from './rest/route-table';
import { trustedDocuments } from './trusted-documents';
import { createMetrics, outcomeOf, withRefusalCounts } from '../platform/metrics';
import { SubgraphDataSource } from './subgraph-data-source';
import { serveSubscriptions } from './subscriptions/subscription-server';
import { SubscriptionPlanner } from './subscriptions/subscription-planner';
import { cachedTokenVerifier } from '../platform/auth/token-cache';
import { remoteApiKeyVerifier, withApiKeys } from '../platform/auth/api-keys';
import { ServiceTokens, withServiceTokens } from '../platform/auth/service-token';
import { withCompletionErrors } from './value-completion';
import { mountDashboard } from './dashboard/dashboard-routes';
import { FORWARDED_PREFIXES, forwardRoutes } from './forwarded-routes';
import { apiKeyCostPlugin } from './api-key-limits';
import { errorReportingPlugin, logServerErrors, withRequestId } from './error-reporting';
import { PERSISTED_QUERY_TTL_SECONDS, redisPersistedQueryCache } from './persisted-query-cache';
import { countedQueryPlanStore, warmQueryPlans } from './query-plan-cache';
import { createUsageMeter, usageMeterPlugin } from './usage-meter';

export interface GatewayOptions {
  config: Config;
  logger: Logger;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Where each subgraph is; defaults to the config's URLs. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  tokenVerifier?: TokenVerifier;
  /**
   * The process's membership revocations, when the gateway shares a process with the
   * subgraphs (npm start). Otherwise it follows them from Redis itself, so REDIS_URL is required.
   */
  revocations?: RevocationCheck;
  /**
   * The process's facts between subgraphs, when the gateway shares a process with them: partner
   * usage is published through its transport. Otherwise the gateway's own messaging's.
   */
  messaging?: Messaging;
}

export function readSupergraphSdl(): string {
  return readFileSync(path.resolve(__dirname, '..', SUPERGRAPH_PATH), 'utf8');
}

const readGenerated = (file: string) => readFileSync(path.resolve(__dirname, '..', file), 'utf8');

/**
 * The gateway: @apollo/gateway on the committed, statically composed supergraph.
 * It verifies the bearer token itself (refusing members suspended or removed since it was
 * issued) and refuses anonymous calls to non-public root fields before any subgraph is
 * asked; subgraphs check again. Documents over a limit (platform/limits) are refused
 * before they are planned; responses over RESPONSE_MAX_BYTES are replaced by an error.
 * Every subgraph request carries the subgraph credential. An API key's own budgets
 * (requests, operations' cost) are charged, its partner calls metered for billing; the
 * manifest's operations are planned at start-up; automatic persisted queries are kept in
 * Redis with REDIS_URL, so every gateway process finds a hash another registered.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  const { config } = options;
  const logger = options.logger.child({ component: 'gateway' });
  const supergraphSdl = readSupergraphSdl();
  const publicFields = publicRootFields(supergraphSdl);
  const introspection = config.env !== 'production';
  const subgraphSecret = subgraphSecretFor(config);
  // API keys are asked of identity (once a minute per key at most); session tokens are verified here.
  const verifyToken = cachedTokenVerifier(
    withServiceTokens(
      withApiKeys(
        options.tokenVerifier ?? createTokenVerifier(config.auth),
        remoteApiKeyVerifier(new URL(config.auth.jwksUrl).origin, subgraphSecret),
      ),
      ServiceTokens.fromConfig(config),
    ),
  );
  let ownMessaging: Messaging | undefined;
  let revocations = options.revocations;
  if (!revocations) {
    if (!config.redisUrl) {
      throw new Error('REDIS_URL is required for a gateway of its own: it learns of suspended and removed members through Redis');
    }
    ownMessaging = createMessaging(config, logger);
    await ownMessaging.start();
    revocations = ownMessaging.revocations;
  }
  const stopEvicting = revocations.onApiKeyRevoked?.((apiKeyId) => verifyToken.evict((principal) => principal.apiKey?.id === apiKeyId));
  const production = config.env === 'production';
  const formatError = createErrorFormatter(logger, { hideSuggestions: production, maskInternals: production });
  const headers = securityHeaders({ hstsMaxAgeSeconds: config.hstsMaxAgeSeconds, explorer: config.env !== 'production' });
  const urlOf = (name: string, url: string | undefined) =>
    options.subgraphUrls?.[name as SubgraphName] ?? config.subgraphs[name as SubgraphName]?.url ?? url ?? '';

  const trusted = trustedDocuments(operationManifest(), logger);
  const metrics = createMetrics('gateway', { token: config.metricsToken, production: config.env === 'production' });
  const limiter = withRefusalCounts(createRateLimiter(config.rateLimit, config.redisUrl, logger), metrics);
  const transport = options.messaging?.transport ?? ownMessaging?.transport;
  const usage = transport ? createUsageMeter({ transport, logger }) : undefined;
  const persistedQueries = config.redisUrl ? redisPersistedQueryCache(config.redisUrl, logger) : undefined;
  const queryPlans = countedQueryPlanStore(() => metrics.queryPlanned('request'));
  const planner = new SubscriptionPlanner(supergraphSdl);
  const dataSources: SubgraphDataSource[] = [];
  // @apollo/gateway sends usage figures to Apollo's servers unless this is set: the gateway sends nothing to a third party.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl,
    queryPlannerConfig: { cache: queryPlans },
    buildService: ({ name, url }) => {
      const dataSource = new SubgraphDataSource(name, urlOf(name, url), { secret: subgraphSecret, onFetch: metrics.subgraphFetch });
      dataSources.push(dataSource);
      return dataSource;
    },
    logger,
  });

  const app = express();
  app.disable('x-powered-by');
  app.use(headers);
  // POST /graphql is served by the fast path once Apollo Server has started; everything else by Express.
  const hotPath: { handle?: (req: IncomingMessage, res: ServerResponse) => boolean } = {};
  // Subgraphs' own routes (identity's /api/v1/auth/*), forwarded once the rate limiter is ready.
  const forwarded: { handle?: (req: IncomingMessage, res: ServerResponse) => boolean } = {};
  // The REST shim's /api/v1 routes (gateway/rest/), once Apollo Server has started.
  const rest: { handle?: (req: IncomingMessage, res: ServerResponse) => boolean } = {};
  const httpServer = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') return metrics.handle(req, res);
    if (forwarded.handle?.(req, res)) return;
    if (rest.handle?.(req, res)) return;
    if (!hotPath.handle?.(req, res)) void app(req, res);
  });
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', component: 'gateway' });
  });
  mountDashboard(app);

  // What Apollo Server loads from the gateway (its API schema and executor), kept for the lean path below.
  const completing = withCompletionErrors(gateway, logger);
  let apiSchema: GraphQLSchema | undefined;
  let loadedExecutor: GatewayExecutor | null = null;
  completing.onSchemaLoadOrUpdate((loaded) => {
    apiSchema = loaded.apiSchema;
  });
  const server = new ApolloServer<GatewayContext>({
    gateway: {
      ...completing,
      load: async (loadOptions) => {
        const loaded = await completing.load(loadOptions);
        loadedExecutor = loaded.executor;
        return loaded;
      },
    },
    introspection,
    includeStacktraceInErrorResponses: false,
    formatError,
    // Without Redis, Apollo Server's own cache in the process.
    ...(persistedQueries ? { persistedQueries: { cache: persistedQueries, ttl: PERSISTED_QUERY_TTL_SECONDS } } : {}),
    validationRules: documentLimitRules(config.limits),
    // The HTTP and WebSocket paths count tokens before Apollo is asked; this holds for any other way in.
    parseOptions: { maxTokens: config.limits.tokens },
    stringifyResult: boundedStringify(config.responseMaxBytes),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      config.env === 'production' ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
      denyAnonymousUnlessPublic(publicFields, introspection),
      trusted.plugin<GatewayContext>(),
      apiKeyCostPlugin<GatewayContext>(limiter, trusted.allows),
      ...(usage ? [usageMeterPlugin<GatewayContext>(usage)] : []),
      errorReportingPlugin<GatewayContext>(),
      metrics.plugin<GatewayContext>(),
    ],
  });
  await server.start();
  const warmed = await warmQueryPlans(queryPlans, planner, operationManifest(), logger);
  metrics.queryPlanned('startup', warmed);
  logger.info({ operations: warmed }, 'query plan cache warmed with the operation manifest');
  await limiter.ready();
  forwarded.handle = forwardRoutes({
    routes: FORWARDED_PREFIXES.map((route) => ({ ...route, origin: new URL(urlOf(route.subgraph, undefined)).origin })),
    limiter,
    subgraphSecret,
    logger,
  });
  // After start: the gateway has built a data source per subgraph by now.
  const subscriptions = serveSubscriptions(httpServer, {
    apollo: server,
    planner,
    dataSources: Object.fromEntries(dataSources.map((dataSource) => [dataSource.serviceName, dataSource])),
    subgraphUrl: (name) => urlOf(name, undefined),
    verifyToken,
    revocations,
    logger,
    formatError,
    limiter,
    limits: config.limits,
    webSocket: config.webSocket,
    responseMaxBytes: config.responseMaxBytes,
    subgraphSecret,
    refuseDocument: trusted.refusal,
  });
  metrics.countSubscriptions(subscriptions.openSubscriptions);

  const graphql: MountOptions<GatewayContext> = {
    logger,
    verifyToken,
    revocations,
    limiter,
    limits: config.limits,
    resolveBody: trusted.resolveBody,
    context: ({ requestId, principal, logger: requestLogger, req }) => ({
      requestId,
      principal,
      authorization: req.headers.authorization,
      logger: requestLogger,
      client: directClient(limiter.clientAddress(req), req.headers),
    }),
  };
  /**
   * A document seen validate before goes from the fast path straight to the gateway's
   * executor (query plans cached as on Apollo Server's path), skipping Apollo Server's
   * per-request pipeline; an anonymous request takes it only when every root field is
   * public (what `denyAnonymousUnlessPublic` would let through).
   */
  function leanGatewayExecution(schema: GraphQLSchema, executor: GatewayExecutor): LeanExecution<GatewayContext> {
    const anonymousAllowed = new WeakMap<OperationDefinitionNode, boolean>();
    return createLeanExecution<GatewayContext>({
      schema,
      validationRules: documentLimitRules(config.limits),
      introspection,
      formatError,
      logger,
      stringifyResult: boundedStringify(config.responseMaxBytes),
      onAnswer: (operationName, errors, seconds) => metrics.graphqlRequest(operationName, outcomeOf(errors), seconds),
      onErrors: (formatted, raw, contextValue) => {
        logServerErrors(raw, contextValue);
        return withRequestId(formatted, contextValue.requestId);
      },
      admits: ({ document, operation, query, queryHash }, contextValue) => {
        // An API key's operations are charged their cost and metered: Apollo Server's path, with the plugins that do it.
        if (contextValue.principal?.apiKey?.limits) return false;
        if (contextValue.principal) return trusted.allows(contextValue.principal, query, queryHash);
        let allowed = anonymousAllowed.get(operation);
        if (allowed === undefined) {
          allowed = protectedRootFields(document, operation, publicFields, introspection).length === 0;
          anonymousAllowed.set(operation, allowed);
        }
        return allowed;
      },
      // The request context Apollo Server would hand the executor, with what the gateway reads of it.
      run: (operation, contextValue, cachePolicy) =>
        executor({
          request: { query: operation.query, operationName: operation.operationName, variables: operation.variables },
          logger,
          schema,
          context: contextValue,
          cache: undefined,
          queryHash: operation.queryHash,
          document: operation.document,
          source: operation.query,
          operationName: operation.operation.name?.value ?? null,
          operation: operation.operation,
          metrics: {},
          overallCachePolicy: cachePolicy,
          requestIsBatched: false,
        } as unknown as GatewayGraphQLRequestContext<GatewayContext>) as Promise<ExecutionResult>,
    });
  }

  const lean = apiSchema && loadedExecutor ? leanGatewayExecution(apiSchema, loadedExecutor) : undefined;
  hotPath.handle = createGraphqlFastPath(server, { ...graphql, headers, lean });
  if (!apiSchema) throw new Error('the gateway started without its API schema');
  rest.handle = createRestShim({
    server,
    graphql,
    headers,
    schema: apiSchema,
    manifest: operationManifest(),
    routes: REST_ROUTES,
    openApi: readGenerated(OPENAPI_PATH),
    lean,
  });
  mountGraphql(app, server, graphql);

  app.use(notFoundHandler());
  app.use(jsonErrorHandler(logger));
  const port = await listen(httpServer, options.host, options.port);
  return {
    url: `http://${options.host}:${port}/graphql`,
    port,
    close: async () => {
      stopEvicting?.();
      await subscriptions.close();
      await server.stop();
      // Answered requests are all counted by now: what is left is reported before the transport closes.
      await usage?.close();
      await Promise.all(dataSources.map((dataSource) => dataSource.close()));
      await limiter.close();
      await persistedQueries?.close();
      await ownMessaging?.close();
    },
  };
}

/** Deny by default at the edge: without a token, only `@public` root fields are planned at all. */
function denyAnonymousUnlessPublic(publicFields: Set<string>, introspection: boolean): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, operation }) {
          if (contextValue.principal || !operation) return;
          const needToken = protectedRootFields(document, operation, publicFields, introspection);
          if (needToken.length > 0) {
            const error = new UnauthenticatedError(
              `Authentication required for ${needToken.join(', ')}: send a bearer token in the Authorization header`,
            );
            error.extensions.http = { status: HTTP_STATUS_BY_CODE.UNAUTHENTICATED };
            throw error;
          }
        },
      };
    },
  };
}
