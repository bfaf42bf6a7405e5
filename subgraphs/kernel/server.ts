import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Request } from 'express';
import { GraphQLError } from 'graphql';
import { createTokenVerifier, bearerToken } from './auth/token-verifier';
import type { TokenVerifier } from './auth/token-verifier';
import type { Principal } from './auth/principal';
import type { SubgraphContext } from './context';
import { CodedError, HTTP_STATUS_BY_CODE } from './errors';
import { createErrorFormatter } from './format-error';
import { databaseHealthProbe } from './health';
import type { HealthProbe } from './health';
import { requestIdFrom } from './request-id';
import type { SubgraphDefinition, SubgraphDependencies } from './subgraph';

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

/** Serves one subgraph over HTTP: POST /graphql, GET /health (liveness), GET /ready (database). */
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
  definition.routes?.(app, services);

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

  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(server, {
      context: async ({ req }) => {
        const requestId = requestIdFrom(req.headers['x-request-id']);
        return {
          requestId,
          principal: await authenticate(req, verifyToken),
          logger: logger.child({ requestId }),
          services,
          loaders: definition.createLoaders(services),
          health,
        };
      },
    }),
  );

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${options.host}:${port}/graphql`;
  logger.debug({ url }, 'subgraph listening');
  return {
    url,
    port,
    close: async () => {
      await server.stop();
    },
  };
}

/**
 * No Authorization header: anonymous (only `@public` fields answer). A header that is
 * there but not a valid token: the whole request is refused, with 401.
 */
export async function authenticate(req: Pick<Request, 'headers'>, verifyToken: TokenVerifier): Promise<Principal | null> {
  try {
    const token = bearerToken(req.headers.authorization);
    return token === undefined ? null : await verifyToken(token);
  } catch (error) {
    if (error instanceof CodedError) {
      throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: HTTP_STATUS_BY_CODE[error.code] } } });
    }
    throw error;
  }
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
