import type { IncomingHttpHeaders } from 'node:http';
import { HeaderMap } from '@apollo/server';
import type { HTTPGraphQLResponse } from '@apollo/server';
import { NoSchemaIntrospectionCustomRule, execute, getOperationAST, parse, specifiedRules, validate } from 'graphql';
import type { DocumentNode, ExecutionResult, GraphQLFormattedError, GraphQLSchema, ValidationRule } from 'graphql';
import { DocumentCache } from './document-cache';
import type { Logger } from './logger';

/** A request the lean path can answer: a document that parsed and validated before, and its operation. */
export interface PreparedOperation {
  document: DocumentNode;
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
}

export interface LeanExecution<C> {
  /** Undefined: Apollo Server answers this request (first sight of a document, an invalid one, anything unusual). */
  prepare(body: unknown, headers: IncomingHttpHeaders): PreparedOperation | undefined;
  /** Runs it; undefined when graphql-js refused it before any resolver ran (bad variables), which Apollo then answers. */
  execute(operation: PreparedOperation, contextValue: C): Promise<HTTPGraphQLResponse | undefined>;
}

export interface LeanExecutionOptions {
  schema: GraphQLSchema;
  /** Apollo Server's own rules beside graphql's: the document limits. */
  validationRules: ValidationRule[];
  introspection: boolean;
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  logger: Logger;
  /** Documents remembered once they validated (least recently used goes first). */
  maxDocuments?: number;
}

/**
 * A subgraph's `POST /graphql` without Apollo Server's per-request pipeline, for the
 * documents it has already seen validate: the parsed document is remembered by its text's hash,
 * and graphql-js executes it with the subgraph's context. The answer is the one Apollo
 * Server gives (errors first, the same error formatting, `cache-control: no-store`, the
 * same JSON and status); everything else (a document seen for the first time, one that does
 * not validate, persisted queries, an `accept` header asking for another media type,
 * subscriptions, variables that do not coerce) goes to Apollo Server as before, so its
 * answers are Apollo's own. The parity test in tests/integration/graphql-fast-path.test.ts
 * holds the two paths equal.
 */
export function createLeanExecution<C>(options: LeanExecutionOptions): LeanExecution<C> {
  const maxDocuments = options.maxDocuments ?? 1_000;
  const rules = [...specifiedRules, ...options.validationRules, ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const validated = new DocumentCache(maxDocuments);

  const remember = (query: string): DocumentNode | undefined => {
    const key = DocumentCache.keyOf(query);
    const known = validated.get(key);
    if (known) return known;
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch {
      return undefined;
    }
    if (validate(options.schema, document, rules).length > 0) return undefined;
    validated.set(key, document);
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
      const document = remember(query);
      if (!document) return undefined;
      const operation = getOperationAST(document, operationName ?? undefined);
      if (!operation || operation.operation === 'subscription') return undefined;
      return {
        document,
        operationName: operationName ?? undefined,
        variables: (variables as Record<string, unknown> | null | undefined) ?? undefined,
      };
    },

    async execute(operation, contextValue) {
      const started = performance.now();
      const result = (await execute({
        schema: options.schema,
        document: operation.document,
        operationName: operation.operationName,
        variableValues: operation.variables,
        contextValue,
      })) as ExecutionResult;
      if (!('data' in result)) return undefined;
      const headers = new HeaderMap([
        ['cache-control', 'no-store'],
        ['content-type', 'application/json; charset=utf-8'],
      ]);
      let status: number | undefined;
      const errors = result.errors?.map((error) => {
        const extensions: Record<string, unknown> = { ...error.extensions, code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR' };
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
      (contextValue as { logger?: Logger }).logger?.info(
        { operationName: operation.operationName, ms: Math.round(performance.now() - started), errors: errors?.length ?? 0 },
        'graphql request',
      );
      // Apollo Server's field order and its `JSON.stringify(…) + '\n'`.
      return {
        status,
        headers,
        body: { kind: 'complete', string: `${JSON.stringify({ errors, data: result.data, extensions: result.extensions })}\n` },
      };
    },
  };
}
