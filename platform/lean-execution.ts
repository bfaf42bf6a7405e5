import type { IncomingHttpHeaders } from 'node:http';
import { HeaderMap } from '@apollo/server';
import type { HTTPGraphQLResponse } from '@apollo/server';
import { NoSchemaIntrospectionCustomRule, execute, getOperationAST, parse, specifiedRules, validate } from 'graphql';
import type {
  DocumentNode,
  ExecutionResult,
  FormattedExecutionResult,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
  OperationDefinitionNode,
  ValidationRule,
} from 'graphql';
import { DocumentCache } from './document-cache';
import type { Logger } from './logger';

/** A request the lean path can answer: a document that parsed and validated before, and its operation. */
export interface PreparedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The query text, and its SHA-256 (hex) as Apollo Server names it (`queryHash`). */
  query: string;
  queryHash: string;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

/** Apollo Server's cache policy of a response: what the operation's sources allow, the least of them. */
export interface CachePolicy {
  maxAge: number | undefined;
  scope: 'PUBLIC' | 'PRIVATE' | undefined;
  restrict(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void;
  replace(hint: { maxAge?: number; scope?: 'PUBLIC' | 'PRIVATE' }): void;
  policyIfCacheable(): { maxAge: number; scope: 'PUBLIC' | 'PRIVATE' } | null;
}

export interface LeanExecution<C> {
  /** Undefined: Apollo Server answers this request (first sight of a document, an invalid one, anything unusual). */
  prepare(body: unknown, headers: IncomingHttpHeaders): PreparedOperation | undefined;
  /**
   * Runs it; undefined when graphql-js refused it before any resolver ran (bad variables), or
   * when `admits` says no, which Apollo then answers.
   */
  execute(operation: PreparedOperation, contextValue: C): Promise<HTTPGraphQLResponse | undefined>;
}

export interface LeanExecutionOptions<C> {
  schema: GraphQLSchema;
  /** Apollo Server's own rules beside graphql's: the document limits. */
  validationRules: ValidationRule[];
  introspection: boolean;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  logger: Logger;
  /** Documents remembered once they validated (least recently used goes first). */
  maxDocuments?: number;
  /** How an operation runs: by default graphql-js executes it on `schema`; the gateway hands it to its executor. */
  run?: (operation: PreparedOperation, contextValue: C, cachePolicy: CachePolicy) => Promise<ExecutionResult>;
  /** Whether the request may be answered here once its context is built (the gateway: callers with a token). */
  admits?: (operation: PreparedOperation, contextValue: C) => boolean;
  /** Apollo Server's `stringifyResult`, when the server has its own (the gateway bounds the response's size). */
  stringifyResult?: (result: FormattedExecutionResult) => string;
  /**
   * Told of a request's errors once formatted, with the raw ones, and answers what the client
   * gets (the gateway: the request id on errors that are ours, the detail to the log), as its
   * plugin does on Apollo Server's path.
   */
  onErrors?: (formatted: GraphQLFormattedError[], raw: readonly GraphQLError[], contextValue: C) => GraphQLFormattedError[];
  /** Logs each request as the subgraphs' request logging plugin does. */
  logRequests?: boolean;
  /** Told of each answer (the metrics), as Apollo Server's plugins are told on its path. */
  onAnswer?: (
    operationName: string | undefined,
    errors: readonly { extensions?: { code?: unknown } }[] | undefined,
    seconds: number,
  ) => void;
}

/**
 * `POST /graphql` without Apollo Server's per-request pipeline, for the documents already
 * seen validate: the parsed document is remembered by its text's hash, and the operation
 * runs with the request's context (a subgraph: graphql-js on its schema; the gateway: its
 * executor, query plans cached as Apollo Server's path caches them). The answer is the one
 * Apollo Server gives (errors first, the same error formatting, its `cache-control`, the same
 * JSON and status); everything else (a document seen for the first time, one that does
 * not validate, persisted queries, an `accept` header asking for another media type,
 * subscriptions, variables that do not coerce) goes to Apollo Server as before, so its
 * answers are Apollo's own. The parity test in tests/integration/graphql-fast-path.test.ts
 * holds the two paths equal.
 */
export function createLeanExecution<C>(options: LeanExecutionOptions<C>): LeanExecution<C> {
  const maxDocuments = options.maxDocuments ?? 1_000;
  const rules = [...specifiedRules, ...options.validationRules, ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const validated = new DocumentCache(maxDocuments);
  const stringifyResult = options.stringifyResult ?? ((result: FormattedExecutionResult) => `${JSON.stringify(result)}\n`);
  const run =
    options.run ??
    (async (operation: PreparedOperation, contextValue: C) =>
      (await execute({
        schema: options.schema,
        document: operation.document,
        operationName: operation.operationName,
        variableValues: operation.variables,
        contextValue,
      })) as ExecutionResult);

  const remember = (query: string, queryHash: string): DocumentNode | undefined => {
    const known = validated.get(queryHash);
    if (known) return known;
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch {
      return undefined;
    }
    if (validate(options.schema, document, rules).length > 0) return undefined;
    validated.set(queryHash, document);
    return document;
  };

  return {
    prepare(body, headers) {
      if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
      const { query, operationName, variables, extensions, ...rest } = body as Record<string, unknown>;
      if (typeof query !== 'string' || extensions !== undefined || Object.keys(rest).length > 0) return undefined;
      if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
      if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return undefined;
      const accept = headers.accept;
      if (accept !== undefined && accept !== '*/*' && accept !== 'application/json') return undefined;
      // The gateway shows its query plan to this header outside production: Apollo Server's path does that.
      if (headers['apollo-query-plan-experimental'] !== undefined) return undefined;
      const queryHash = DocumentCache.keyOf(query);
      const document = remember(query, queryHash);
      if (!document) return undefined;
      const operation = getOperationAST(document, operationName ?? undefined);
      if (!operation || operation.operation === 'subscription') return undefined;
      return {
        document,
        operation,
        query,
        queryHash,
        operationName: operationName ?? undefined,
        variables: (variables as Record<string, unknown> | null | undefined) ?? undefined,
      };
    },

    async execute(operation, contextValue) {
      if (options.admits && !options.admits(operation, contextValue)) return undefined;
      const started = performance.now();
      const cachePolicy = newCachePolicy();
      const result = await run(operation, contextValue, cachePolicy);
      if (!('data' in result)) return undefined;
      let status: number | undefined;
      const formattedErrors = result.errors?.map((error) => {
        const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions?.code ?? 'INTERNAL_SERVER_ERROR' };
        const http = extensions.http as { status?: number } | undefined;
        if (http && typeof http === 'object') {
          if (typeof http.status === 'number') status = http.status;
          delete extensions.http;
        }
        try {
          return options.formatError({ ...error.toJSON(), extensions }, error);
        } catch {
          return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
        }
      });
      const errors =
        formattedErrors && options.onErrors ? options.onErrors(formattedErrors, result.errors!, contextValue) : formattedErrors;
      options.onAnswer?.(operation.operationName, errors, (performance.now() - started) / 1000);
      if (options.logRequests) {
        (contextValue as { logger?: Logger }).logger?.info(
          { operationName: operation.operationName, ms: Math.round(performance.now() - started), errors: errors?.length ?? 0 },
          'graphql request',
        );
      }
      // Apollo Server's cache control: cacheable only when every source allows it and nothing failed.
      const cacheable = errors ? null : cachePolicy.policyIfCacheable();
      const headers = new HeaderMap([
        ['cache-control', cacheable ? `max-age=${cacheable.maxAge}, ${cacheable.scope.toLowerCase()}` : 'no-store'],
        ['content-type', 'application/json; charset=utf-8'],
      ]);
      // Apollo Server's field order.
      return {
        status,
        headers,
        body: { kind: 'complete', string: stringifyResult({ errors, data: result.data, extensions: result.extensions }) },
      };
    },
  };
}

/** Apollo Server's `newCachePolicy` (not exported): no limit until a source restricts it. */
function newCachePolicy(): CachePolicy {
  return {
    maxAge: undefined,
    scope: undefined,
    restrict(hint) {
      if (hint.maxAge !== undefined && (this.maxAge === undefined || hint.maxAge < this.maxAge)) this.maxAge = hint.maxAge;
      if (hint.scope !== undefined && this.scope !== 'PRIVATE') this.scope = hint.scope;
    },
    replace(hint) {
      if (hint.maxAge !== undefined) this.maxAge = hint.maxAge;
      if (hint.scope !== undefined) this.scope = hint.scope;
    },
    policyIfCacheable() {
      if (this.maxAge === undefined || this.maxAge === 0) return null;
      return { maxAge: this.maxAge, scope: this.scope ?? 'PUBLIC' };
    },
  };
}
