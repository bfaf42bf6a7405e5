import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { createTokenVerifier } from './auth/token-verifier';
import type { TokenVerifier } from './auth/token-verifier';
import type { SubgraphContext } from './context';
import { createErrorFormatter } from './format-error';
import { databaseHealthProbe } from './health';
import type { HealthProbe } from './health';
import { jsonErrorHandler, listen, mountGraphql } from './http';
import type { SubgraphDefinition, SubgraphDependencies } from './subgraph';
import type { Principal } from './auth/principal';
import type { Logger } from './logger';
import { serveWebSocket } from './websocket';

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
 * starts once every subgraph it serves is registered.
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
  const verifyToken = options.tokenVerifier ?? createTokenVerifier(config.auth, definition.verificationKeys?.(services));
  const { messaging } = dependencies;
  const revocations = messaging.revocations;
  if (definition.publishes?.length) messaging.registerRelay(definition.name, dataSource);
  for (const consumer of definition.consumers?.(services) ?? []) messaging.registerConsumer(consumer, dataSource);
  const health = databaseHealthProbe(dataSource);

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);

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
    formatError: createErrorFormatter(logger),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      requestLogging(),
    ],
  });
  await server.start();

  const contextFor = (principal: Principal | null, requestId: string, requestLogger: Logger): ServedContext<S, L> => ({
    requestId,
    principal,
    logger: requestLogger,
    access: dependencies.access,
    services,
    loaders: definition.createLoaders(services),
    health,
  });
  mountGraphql(app, server, {
    logger,
    verifyToken,
    revocations,
    context: ({ requestId, principal, logger: requestLogger }) => contextFor(principal, requestId, requestLogger),
  });
  const webSocket = serveWebSocket(httpServer, {
    subgraph: definition.name,
    schema,
    verifyToken,
    revocations,
    logger,
    formatError: createErrorFormatter(logger),
    context: (principal, requestId) => contextFor(principal, requestId, logger.child({ requestId })),
    eventContext: (context) => ({ ...(context as ServedContext<S, L>), loaders: definition.createLoaders(services) }),
  });

  app.use(jsonErrorHandler(logger));
  const port = await listen(httpServer, options.host, options.port);
  const url = `http://${options.host}:${port}/graphql`;
  logger.debug({ url }, 'subgraph listening');
  return {
    url,
    port,
    close: async () => {
      await webSocket.close();
      await server.stop();
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
