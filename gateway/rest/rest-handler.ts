import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap } from '@apollo/server';
import type { ApolloServer, BaseContext } from '@apollo/server';
import { GraphQLError, Kind, parse } from 'graphql';
import type { FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { BODY_LIMIT_BYTES, incomingRequest } from '../../platform/http';
import type { MountOptions } from '../../platform/http';
import { HTTP_STATUS_BY_CODE } from '../../platform/errors';
import type { LeanExecution } from '../../platform/lean-execution';
import type { SecurityHeaders } from '../../platform/security-headers';
import type { OperationManifest } from '../../platform/operation-manifest';
import type { RestRoute } from './route-table';
import { restValue, restVariables, rootFieldType, snakeCase } from './rest-values';

/** The body of every REST error: `{"error": {"code", "message", "field"?}}`. */
export interface RestErrorBody {
  error: { code: string; message: string; field?: string };
}

interface CompiledRoute {
  route: RestRoute;
  pattern: RegExp;
  params: string[];
  /** Literal segments rank first: `/audit/logs/export` before `/audit/logs/{id}`. */
  literals: number;
  operation: { name: string; body: string; definition: OperationDefinitionNode; fragments: Map<string, FragmentDefinitionNode> };
}

export interface RestShimOptions<C extends BaseContext> {
  server: ApolloServer<C>;
  graphql: MountOptions<C>;
  headers: SecurityHeaders;
  schema: GraphQLSchema;
  manifest: OperationManifest;
  routes: readonly RestRoute[];
  /** Served as is at GET /api/v1/openapi.json. */
  openApi: string;
  /** The fast path POST /graphql takes (platform/lean-execution.ts): a route's operation takes it too when it admits the caller. */
  lean?: LeanExecution<C>;
}

const PREFIX = '/api/v1/';
const OPENAPI_PATH = '/api/v1/openapi.json';

/**
 * The REST shim: one handler for every route of the table. A request is matched to its
 * route, its values become the variables of the route's manifest operation, and the
 * operation runs through the gateway's own pipeline (the same token check, rate limit,
 * context, document limits and error masking as POST /graphql, and its fast path when the
 * caller may take it). The answer is the root
 * field's value in REST's names; a GraphQL error becomes its HTTP status with
 * `{"error": {"code", "message", "field"?}}`. Paths under /api/v1/ that no route names answer
 * 404 in the same shape.
 */
export function createRestShim<C extends BaseContext>(options: RestShimOptions<C>): (req: IncomingMessage, res: ServerResponse) => boolean {
  const started = incomingRequest(options.graphql);
  const byName = new Map(options.manifest.operations.map((operation) => [operation.name, operation]));
  const compiled: CompiledRoute[] = options.routes
    .map((route) => compile(route, byName.get(route.operation)))
    .sort((a, b) => b.literals - a.literals);

  return (req, res) => {
    // Every request of the gateway passes here first: POST /graphql leaves without a URL parse.
    if (!req.url?.startsWith(PREFIX)) return false;
    const url = new URL(req.url, 'http://gateway');
    if (!url.pathname.startsWith(PREFIX)) return false;
    options.headers(req, res, () => undefined);
    if (url.pathname === OPENAPI_PATH && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' });
      res.end(options.openApi);
      return true;
    }
    const matches = compiled.map((entry) => ({ entry, match: entry.pattern.exec(url.pathname) })).filter(({ match }) => match);
    const found = matches.find(({ entry }) => entry.route.method === req.method);
    if (!found) {
      req.resume();
      if (matches.length > 0) {
        const allowed = [...new Set(matches.map(({ entry }) => entry.route.method))].join(', ');
        sendError(res, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not served at ${url.pathname}; use ${allowed}`, { allow: allowed });
      } else {
        sendError(res, 404, 'NOT_FOUND', `No route ${req.method} ${url.pathname}; see ${OPENAPI_PATH}`);
      }
      return true;
    }
    const { entry, match } = found;
    const pathParams = Object.fromEntries(entry.params.map((name, index) => [name, decodeURIComponent(match![index + 1]!)]));
    void serve(req, res, entry, pathParams, url.searchParams).catch((error: unknown) => {
      options.graphql.logger.error({ err: error, route: entry.route.path }, 'unexpected REST error');
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'Internal server error');
      else res.destroy();
    });
    return true;
  };

  async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    entry: CompiledRoute,
    pathParams: Record<string, string>,
    query: URLSearchParams,
  ): Promise<void> {
    const operation = entry.operation!;
    const body = await readJsonBody(req);
    if ('error' in body) {
      sendError(res, body.status, 'BAD_USER_INPUT', body.error);
      return;
    }
    let context: C;
    let organizationId: string | undefined;
    try {
      const incoming = await started(req);
      organizationId = incoming.principal?.organizationId;
      context = options.graphql.context(incoming);
    } catch (error) {
      sendGraphqlError(res, error);
      return;
    }
    let variables: Record<string, unknown>;
    try {
      variables = restVariables(entry.route, operation.definition, options.schema, { pathParams, query, body: body.value }, organizationId);
    } catch (error) {
      sendGraphqlError(res, error);
      return;
    }
    const request = { query: operation.body, operationName: operation.name, variables };
    const prepared = options.lean?.prepare(request, {});
    const response =
      (prepared && (await options.lean!.execute(prepared, context))) ||
      (await options.server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: 'POST', headers: graphqlHeaders(req), search: '', body: request },
        context: async () => context,
      }));
    if (response.body.kind !== 'complete') throw new Error('a REST operation answered incrementally');
    const result = JSON.parse(response.body.string) as {
      data?: Record<string, unknown> | null;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    };
    const retryAfter = response.headers.get('retry-after');
    if (result.errors?.length) {
      const [first] = result.errors;
      const code = String(first!.extensions?.code ?? 'INTERNAL');
      const status =
        HTTP_STATUS_BY_CODE[code as keyof typeof HTTP_STATUS_BY_CODE] ??
        (response.status && response.status >= 400 ? response.status : 500);
      sendError(
        res,
        status,
        code,
        first!.message,
        retryAfter ? { 'retry-after': retryAfter } : {},
        restField(entry.route, first!.extensions?.field),
      );
      return;
    }
    const [rootField] = operation.definition.selectionSet.selections;
    const key = rootField?.kind === Kind.FIELD ? (rootField.alias?.value ?? rootField.name.value) : undefined;
    const type = rootField?.kind === Kind.FIELD ? rootFieldType(options.schema, operation.definition, rootField.name.value) : undefined;
    if (!key || !type || rootField?.kind !== Kind.FIELD) throw new Error(`operation ${operation.name} has no root field`);
    let value = restValue(result.data?.[key], rootField.selectionSet, type, operation.fragments);
    if (entry.route.answer === 'first' && Array.isArray(value)) value = value[0] ?? null;
    if (value === null) {
      sendError(res, 404, 'NOT_FOUND', `Nothing found at ${req.url?.split('?')[0]}`);
      return;
    }
    res.writeHead(entry.route.status ?? 200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(value));
  }
}

function compile(route: RestRoute, operation: OperationManifest['operations'][number] | undefined): CompiledRoute {
  const params: string[] = [];
  const segments = route.path.split('/').filter(Boolean);
  const pattern = new RegExp(
    `^/${segments
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment);
        if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        params.push(param[1]!);
        return '([^/]+)';
      })
      .join('/')}/?$`,
  );
  if (!operation) throw new Error(`REST route ${route.method} ${route.path}: operation ${route.operation} is not in the manifest`);
  const document = parse(operation.body);
  const fragments = new Map<string, FragmentDefinitionNode>();
  let definition: OperationDefinitionNode | undefined;
  for (const node of document.definitions) {
    if (node.kind === Kind.FRAGMENT_DEFINITION) fragments.set(node.name.value, node);
    if (node.kind === Kind.OPERATION_DEFINITION) definition = node;
  }
  return {
    route,
    pattern,
    params,
    literals: segments.length - params.length,
    operation: { name: operation.name, body: operation.body, definition: definition!, fragments },
  };
}

function graphqlHeaders(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap([['content-type', 'application/json']]);
  if (typeof req.headers['x-request-id'] === 'string') headers.set('x-request-id', req.headers['x-request-id']);
  return headers;
}

/** The field an error names, as the client sent it. */
function restField(route: RestRoute, field: unknown): string | undefined {
  if (typeof field !== 'string') return undefined;
  return field
    .split('.')
    .map((segment, index) => {
      const [, name = segment, suffix = ''] = /^([^[]+)(\[.*)?$/.exec(segment) ?? [];
      const renamed = index <= 1 ? Object.entries(route.renames ?? {}).find(([, to]) => to === name)?.[0] : undefined;
      return `${snakeCase(renamed ?? name)}${suffix}`;
    })
    .filter((segment, index, all) => !(index === 0 && segment === route.rest && all.length > 1))
    .join('.');
}

async function readJsonBody(req: IncomingMessage): Promise<{ value: Record<string, unknown> } | { error: string; status: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT_BYTES) return { error: `The body is over ${BODY_LIMIT_BYTES} bytes`, status: 413 };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { value: {} };
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) return { error: 'The body must be JSON (Content-Type: application/json)', status: 415 };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { error: 'The body must be a JSON object', status: 400 };
    return { value: value as Record<string, unknown> };
  } catch {
    return { error: 'The body is not valid JSON', status: 400 };
  }
}

function sendGraphqlError(res: ServerResponse, error: unknown): void {
  if (!(error instanceof GraphQLError)) throw error;
  const code = String(error.extensions.code ?? 'INTERNAL');
  const http = error.extensions.http as { status?: number; headers?: Map<string, string> } | undefined;
  const status = http?.status ?? HTTP_STATUS_BY_CODE[code as keyof typeof HTTP_STATUS_BY_CODE] ?? 500;
  const headers = Object.fromEntries(http?.headers ?? []);
  sendError(res, status, code, error.message, headers, typeof error.extensions.field === 'string' ? error.extensions.field : undefined);
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
  field?: string,
): void {
  const body: RestErrorBody = { error: { code, message, ...(field ? { field } : {}) } };
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
