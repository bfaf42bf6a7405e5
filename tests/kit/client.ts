import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { DocumentNode } from 'graphql';

export interface GraphQLErrorBody {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

export interface Exchange<TData> {
  status: number;
  data: TData | null | undefined;
  errors: GraphQLErrorBody[] | undefined;
  request: { url: string; query: string; variables: unknown; token: string | undefined };
  body: unknown;
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** Posts one operation over HTTP, as any client would, and keeps the whole exchange for messages. */
export async function execute<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables> | DocumentNode | string,
  variables?: TVariables,
  options: RequestOptions = {},
): Promise<Exchange<TData>> {
  const query = typeof document === 'string' ? document : print(document);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: { data?: TData | null; errors?: GraphQLErrorBody[] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = { errors: [{ message: `non-JSON response: ${text.slice(0, 500)}` }] };
  }
  const exchange: Exchange<TData> = {
    status: response.status,
    data: body.data,
    errors: body.errors,
    request: { url, query, variables, token: options.token ? `${options.token.slice(0, 12)}…` : undefined },
    body,
  };
  assertNoStackTraces(exchange);
  return exchange;
}

function describe(exchange: Exchange<unknown>): string {
  return `request:\n${JSON.stringify(exchange.request, null, 2)}\nresponse (HTTP ${exchange.status}):\n${JSON.stringify(exchange.body, null, 2)}`;
}

/** The data of a successful exchange; on any error, fails with the whole request and response. */
export function expectNoErrors<TData>(exchange: Exchange<TData>): TData {
  if (exchange.errors?.length || exchange.data == null || exchange.status !== 200) {
    throw new Error(`expected no errors\n${describe(exchange)}`);
  }
  return exchange.data;
}

/** The one error of an exchange, which must carry `code`; fails with the whole exchange otherwise. */
export function expectError(exchange: Exchange<unknown>, code: string): GraphQLErrorBody {
  const error = exchange.errors?.find((candidate) => candidate.extensions?.code === code);
  if (!error) throw new Error(`expected an error with code ${code}\n${describe(exchange)}`);
  return error;
}

/** No response ever carries a stack trace or exception detail, whatever went wrong. */
function assertNoStackTraces(exchange: Exchange<unknown>): void {
  const text = JSON.stringify(exchange.body);
  if (/stacktrace|"exception"|\bat [\w.<>]+ \(/.test(text)) {
    throw new Error(`response leaks a stack trace\n${describe(exchange)}`);
  }
}
