import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap } from '@apollo/server';
import type { ApolloServer, BaseContext, HTTPGraphQLResponse } from '@apollo/server';
import { BODY_LIMIT_BYTES, incomingRequest } from './http';
import type { MountOptions } from './http';
import type { LeanExecution, PreparedOperation } from './lean-execution';
import { documentTextProblem, refusalBody } from './limits/document-text';
import type { SecurityHeaders } from './security-headers';
const BLANKS = new Set([' ', '\t', '\n', '\r']);

/**
 * The hot path of the gateway and of every subgraph, `POST /graphql` with a JSON body,
 * served straight from Node's HTTP server: the same steps as Express with the security
 * headers, `express.json()`, the query text check and Apollo's Express integration (same
 * body limit and strictness, same context, same status, headers and body, ETag included),
 * without the router and middleware stack around them. It takes the options `mountGraphql`
 * takes, so both paths build the same context. Anything else (GET, other paths and content
 * types, compressed or chunked bodies) answers `false` untouched, and Express serves it.
 */
export function createGraphqlFastPath<C extends BaseContext>(
  server: ApolloServer<C>,
  options: MountOptions<C> & {
    headers: SecurityHeaders;
    /** Documents seen before skip Apollo Server's per-request pipeline (subgraphs: platform/lean-execution.ts). */
    lean?: LeanExecution<C>;
  },
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const started = incomingRequest(options);
  const context = async (req: IncomingMessage): Promise<C> => options.context(await started(req));

  return (req, res) => {
    const length = Number(req.headers['content-length']);
    if (
      req.method !== 'POST' ||
      (req.url !== '/graphql' && !req.url?.startsWith('/graphql?')) ||
      !isPlainJson(req.headers['content-type']) ||
      (req.headers['content-encoding'] !== undefined && req.headers['content-encoding'].toLowerCase() !== 'identity') ||
      req.headers['transfer-encoding'] !== undefined ||
      !Number.isInteger(length) ||
      length > BODY_LIMIT_BYTES
    ) {
      return false;
    }
    // Synchronous: helmet only sets headers.
    options.headers(req, res, () => undefined);
    readBody(req, length).then(
      (text) => {
        const parsed = parseJson(text);
        if (parsed === INVALID) {
          sendJson(res, 400, { errors: [{ message: 'Request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }] });
          return;
        }
        const body = options.resolveBody ? options.resolveBody(parsed) : parsed;
        const problem = options.trustedText?.(req)
          ? null
          : documentTextProblem((body as { query?: unknown } | null)?.query, options.limits);
        if (problem) {
          sendJson(res, 400, refusalBody(problem));
          return;
        }
        return execute(req, res, body);
      },
      () => {
        sendJson(res, 400, { errors: [{ message: 'Bad request', extensions: { code: 'BAD_USER_INPUT' } }] });
      },
    );
    return true;
  };

  async function execute(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    try {
      // Built once: a request the lean path leaves to Apollo Server keeps its context (the token checked and charged once).
      let contextValue: Promise<C> | undefined;
      const operation = options.lean?.prepare(body, req.headers);
      if (operation) {
        contextValue = context(req);
        if (await answerLean(options.lean!, operation, contextValue, res)) return;
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const search = req.url!.length > '/graphql'.length ? req.url!.slice('/graphql'.length) : '';
      const response = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: 'POST', headers, search, body },
        context: () => contextValue ?? context(req),
      });
      await send(res, response);
    } catch (error) {
      options.logger.error({ err: error }, 'unexpected HTTP error');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL' } }] });
      else res.destroy();
    }
  }

  /** True when it answered; false leaves the request to Apollo Server (a context that failed fails there alike, as Apollo answers it). */
  async function answerLean(
    lean: LeanExecution<C>,
    operation: PreparedOperation,
    contextValue: Promise<C>,
    res: ServerResponse,
  ): Promise<boolean> {
    let built: C;
    try {
      built = await contextValue;
    } catch {
      return false;
    }
    const response = await lean.execute(operation, built);
    if (!response) return false;
    await send(res, response);
    return true;
  }
}

function isPlainJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [mediaType, ...parameters] = contentType.split(';');
  if (mediaType!.trim().toLowerCase() !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name, value] = parameter.split('=');
    if (name!.trim().toLowerCase() !== 'charset') return false;
    return value?.trim().replace(/^"|"$/g, '').toLowerCase() === 'utf-8';
  });
}

function readBody(req: IncomingMessage, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    req.once('end', () => (received === length ? resolve(Buffer.concat(chunks, received).toString('utf8')) : reject(new Error('length'))));
    req.once('error', reject);
  });
}

const INVALID = Symbol('invalid JSON');

function parseJson(text: string): unknown {
  if (text.length === 0) return {};
  // body-parser's strict JSON: the first non-blank character opens an object or an array.
  let index = 0;
  while (index < text.length && BLANKS.has(text[index]!)) index += 1;
  if (text[index] !== '{' && text[index] !== '[') return INVALID;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID;
  }
}

/** Express's `res.send(string)`: Content-Length and a weak ETag of the body (the `etag` package's format). */
function sendComplete(res: ServerResponse, body: string): void {
  const buffer = Buffer.from(body, 'utf8');
  res.setHeader('Content-Length', buffer.length);
  res.setHeader('ETag', weakEtag(buffer));
  res.end(buffer);
}

function weakEtag(buffer: Buffer): string {
  if (buffer.length === 0) return 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';
  const hash = createHash('sha1').update(buffer).digest('base64').substring(0, 27);
  return `W/"${buffer.length.toString(16)}-${hash}"`;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  sendComplete(res, JSON.stringify(value));
}

async function send(res: ServerResponse, response: HTTPGraphQLResponse): Promise<void> {
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    sendComplete(res, response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}
