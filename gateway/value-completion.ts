import type { GatewayExecutionResult, GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import type { ErrorCode } from '../platform/errors';
import type { Logger } from '../platform/logger';

interface CompletionProblem {
  message?: string;
  path?: readonly (string | number)[];
}

/**
 * @apollo/gateway shapes the subgraphs' answers into the response itself. When a
 * non-null field ends up with no value while no subgraph reported an error (an entity
 * its owner answered as null), it nulls the parents as the specification says but reports
 * why only in `extensions.valueCompletion`, leaving `{"data": null}` with no `errors`.
 * The specification wants an error for every field that could not be completed: this
 * moves them into `errors`, coded INTERNAL (the supergraph contradicted its own schema),
 * and logs them.
 */
export function reportCompletionErrors<T extends GatewayExecutionResult>(result: T, logger: Logger): T {
  const problems = result.extensions?.valueCompletion as CompletionProblem[] | undefined;
  if (!problems?.length) return result;
  const { valueCompletion: _valueCompletion, ...extensions } = result.extensions ?? {};
  logger.error({ problems }, 'the supergraph answered null for a non-null field without an error');
  const errors = problems.map(
    (problem) =>
      new GraphQLError(problem.message ?? 'A non-null field could not be resolved', {
        path: problem.path,
        extensions: { code: 'INTERNAL' satisfies ErrorCode },
      }),
  );
  return {
    ...result,
    errors: [...(result.errors ?? []), ...errors],
    extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
  };
}

/** The gateway as Apollo Server sees it, with every execution's completion problems reported as errors. */
export function withCompletionErrors(gateway: GatewayInterface, logger: Logger): GatewayInterface {
  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
    load: async (options) => {
      const loaded = await gateway.load(options);
      const executor = loaded.executor;
      if (!executor) return loaded;
      return { ...loaded, executor: async (requestContext) => reportCompletionErrors(await executor(requestContext), logger) };
    },
  };
}
