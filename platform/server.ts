import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer } from '@apollo/server';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { type ClientInfo, directClient, forwardedClient } from './client-info';
import { createTokenVerifier } from './auth/token-verifier';
import type { TokenVerifier } from './auth/token-verifier';
import { cachedTokenVerifier } from './auth/token-cache';
import { AdminNetworks, remoteAllowlistSource } from './auth/admin-networks';
import { remoteApiKeyVerifier, withApiKeys } from './auth/api-keys';
import type { SubgraphContext } from './context';
import { createErrorFormatter } from './format-error';
import { databaseHealthProbe, oneCheckPerRequest } from './health';
import type { HealthProbe } from './health';
import { createGraphqlFastPath } from './graphql-http';
import { createLeanExecution } from './lean-execution';
import { jsonErrorHandler, listen, mountGraphql, notFoundHandler } from './http';
import type { MountOptions } from './http';
import { documentLimitRules } from './limits/document-rules';
import { securityHeaders } from './security-headers';
import { carriesSubgraphSecret, subgraphSecretFor } from './subgraph-credential';
import type { SubgraphDefinition, SubgraphDependencies } from './subgraph';
import type { Principal } from './auth/principal';
import type { Logger } from './logger';
import { serveWebSocket } from './websocket';
import { OutboxMutationAuditSink } from './mutation-audit';
import { createMetrics, outcomeOf } from './metrics';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export type ServedContext<S, L> = SubgraphContext<S, L> & { health: HealthProbe };

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  tokenVerifier?: TokenVerifier;
}

/**
 * Serves one subgraph over HTTP: POST /graphql, GET /health (liveness), GET /ready (database).
 * Its outbox relay and event consumers join the process's messaging, which the caller
 * starts once every subgraph it serves is registered. Documents are held to the same
 * limits as at the gateway (platform/limits); `_entities` and `_service` answer only
 * requests carrying the gateway's credential.
 */
export async function serveSubgraph<S, L>(
  definition: SubgraphDefinition<S, L>,
  dependencies: SubgraphDependencies,
  options: ServeOptions,
): Promise<RunningServer> {
  const { config, dataSource } = dependencies;
  const logger = dependencies.logger.child({ subgraph: definition.name });
  const schema = await definition.buildSchema();
  const services = definition.createServices({ ...dependencies, logger });
  const secret = subgraphSecretFor(config);
  const { messaging } = dependencies;
  const revocations = messaging.revocations;
  // One signature check per token and minute, one question to identity per API key and minute;
  // revocations are checked after it on every request (platform/authenticate.ts), and a key's revocation evicts it.
  const verifyToken = cachedTokenVerifier(
    withApiKeys(
      options.tokenVerifier ?? createTokenVerifier(config.auth, definition.verificationKeys?.(services)),
      definition.apiKeys?.(services) ?? remoteApiKeyVerifier(new URL(config.auth.jwksUrl).origin, secret),
    ),
  );
  const stopEvicting = revocations.onApiKeyRevoked((apiKeyId) => verifyToken.evict((principal) => principal.apiKey?.id === apiKeyId));
  const adminNetworks = new AdminNetworks(
    definition.adminAllowlist?.(services) ?? remoteAllowlistSource(new URL(config.auth.jwksUrl).origin, secret),
  );
  const stopAllowlistWatch = revocations.onAdminAllowlistChanged((organizationId) => adminNetworks.changed(organizationId));
  if (definition.publishes?.length) messaging.registerRelay(definition.name, dataSource);
  for (const consumer of definition.consumers?.(services) ?? []) messaging.registerConsumer(consumer, dataSource);
  const mutationAudit =
    definition.mutationAudit?.(services, { ...dependencies, logger }) ??
    (definition.publishes?.includes('audit.mutation.recorded') ? new OutboxMutationAuditSink(dataSource) : undefined);
  const background = await definition.background?.(services, { ...dependencies, logger });
  const health = databaseHealthProbe(dataSource);
  const formatError = createErrorFormatter(logger, { hideSuggestions: config.env === 'production' });
  const metrics = createMetrics(definition.name, { token: config.metricsToken, production: config.env === 'production' });

  const app = express();
  app.disable('x-powered-by');
  const headers = securityHeaders({ hstsMaxAgeSeconds: config.hstsMaxAgeSeconds });
  app.use(headers);
  // POST /graphql is served by the fast path once Apollo Server has started; everything else by Express.
  const hotPath: { handle?: (req: IncomingMessage, res: ServerResponse) => boolean } = {};
  const httpServer = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') return metrics.handle(req, res);
    if (!hotPath.handle?.(req, res)) void app(req, res);
  });

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', subgraph: definition.name });
  });
  app.get('/ready', async (_req, res) => {
    const report = await health.check();
    res.status(report.status === 'ok' ? 200 : 503).json({ ...report, subgraph: definition.name });
  });
  definition.routes?.(app, services, { ...dependencies, logger });

  const server = new ApolloServer<ServedContext<S, L>>({
    schema,
    introspection: config.env !== 'production',
    includeStacktraceInErrorResponses: false,
    formatError,
    validationRules: documentLimitRules(config.limits),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      requestLogging(),
      metrics.plugin<ServedContext<S, L>>(),
    ],
  });
  await server.start();

  const contextFor = (
    principal: Principal | null,
    requestId: string,
    requestLogger: Logger,
    gateway: boolean,
    client?: ClientInfo,
  ): ServedContext<S, L> => ({
    requestId,
    principal,
    logger: requestLogger,
    access: dependencies.access,
    entityLookups: { allowed: gateway, maxRepresentations: config.subgraph.maxRepresentations },
    mutationAudit,
    client,
    adminNetworks,
    services,
    loaders: definition.createLoaders(services),
    health: oneCheckPerRequest(health),
  });
  const graphql: MountOptions<ServedContext<S, L>> = {
    logger,
    verifyToken,
    revocations,
    limits: config.limits,
    trustedText: (req) => carriesSubgraphSecret(req.headers, secret),
    context: ({ requestId, principal, logger: requestLogger, req }) => {
      const gateway = carriesSubgraphSecret(req.headers, secret);
      const client = gateway ? forwardedClient(req.headers) : directClient(req.socket.remoteAddress, req.headers);
      return contextFor(principal, requestId, requestLogger, gateway, client);
    },
  };
  const lean = createLeanExecution<ServedContext<S, L>>({
    schema,
    validationRules: documentLimitRules(config.limits),
    introspection: config.env !== 'production',
    formatError,
    logger,
    logRequests: true,
    onAnswer: (operationName, errors, seconds) => metrics.graphqlRequest(operationName, outcomeOf(errors), seconds),
  });
  hotPath.handle = createGraphqlFastPath(server, { ...graphql, headers, lean });
  mountGraphql(app, server, graphql);
  const webSocket = serveWebSocket(httpServer, {
    subgraph: definition.name,
    schema,
    verifyToken,
    revocations,
    logger,
    formatError,
    limits: config.limits,
    maxMessageBytes: config.webSocket.maxMessageBytes,
    isGateway: (request) => carriesSubgraphSecret(request.headers, secret),
    // As over HTTP: the peer's address, or the client the gateway names. The gateway's own upstream
    // connections name none, so an allowlisted admin's mutation over them is refused (admin-networks.ts).
    context: (principal, requestId, gateway, request) =>
      contextFor(
        principal,
        requestId,
        logger.child({ requestId }),
        gateway,
        gateway ? forwardedClient(request.headers) : directClient(request.socket.remoteAddress, request.headers),
      ),
    eventContext: (context) => ({
      ...(context as ServedContext<S, L>),
      loaders: definition.createLoaders(services),
      health: oneCheckPerRequest(health),
    }),
  });

  app.use(notFoundHandler());
  app.use(jsonErrorHandler(logger));
  const port = await listen(httpServer, options.host, options.port);
  const url = `http://${options.host}:${port}/graphql`;
  logger.debug({ url }, 'subgraph listening');
  return {
    url,
    port,
    close: async () => {
      stopEvicting();
      stopAllowlistWatch();
      await webSocket.close();
      await server.stop();
      await background?.close();
    },
  };
}

function requestLogging<C extends { requestId: string; logger: { info: (...args: unknown[]) => void } }>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse({ operationName, errors }) {
          contextValue.logger.info(
            { operationName, ms: Math.round(performance.now() - started), errors: errors?.length ?? 0 },
            'graphql request',
          );
        },
      };
    },
  };
}
