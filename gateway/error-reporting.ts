import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { Logger } from '../platform/logger';
import { outcomeOf } from '../platform/metrics';

/** Codes of errors that are ours, not the caller's: the client gets the request id to quote, the log the detail. */
const SERVER_CODES = new Set(['INTERNAL', 'SERVICE_UNAVAILABLE']);

interface RequestContext {
  requestId: string;
  logger: Logger;
}

/** The client's errors that are ours carry `extensions.requestId`, the id the log has the detail under. */
export function withRequestId(errors: readonly GraphQLFormattedError[], requestId: string): GraphQLFormattedError[] {
  return errors.map((error) =>
    SERVER_CODES.has(String(error.extensions?.code)) ? { ...error, extensions: { ...error.extensions, requestId } } : error,
  );
}

/** Logs, with the request's id, every error of a request that is not the caller's: which subgraph, where, and what it said. */
export function logServerErrors(errors: readonly GraphQLError[], context: RequestContext): void {
  for (const error of errors) {
    if (outcomeOf([error]) !== 'server_error') continue;
    context.logger.error(
      {
        err: error.originalError ?? error,
        code: error.extensions?.code,
        serviceName: error.extensions?.serviceName ?? error.extensions?.service,
        path: error.path,
        message: error.message,
      },
      'request answered with a server error',
    );
  }
}

/**
 * Errors that are ours reach the client as a code and the request id (the error formatter
 * has already masked them), and the log as the detail, with that id: on Apollo Server's
 * path; the fast path does the same with `withRequestId` and `logServerErrors`.
 */
export function errorReportingPlugin<C extends BaseContext & RequestContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ contextValue, errors }) {
          logServerErrors(errors, contextValue);
        },
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = withRequestId(response.body.singleResult.errors, contextValue.requestId);
        },
      };
    },
  };
}
