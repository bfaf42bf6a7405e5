import { createClient } from 'graphql-ws';
import type { Client } from 'graphql-ws';
import type { FormattedExecutionResult } from 'graphql';
import WebSocket from 'ws';

export interface TestSocket {
  client: Client;
  /** Close events of the socket, in order. */
  closes: { code: number; reason: string }[];
  /** How many times a socket was opened: 1 means the client never had to reconnect. */
  opened: () => number;
  subscribe<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Results<T>;
  dispose(): Promise<void>;
}

export interface Results<T> {
  /** The next result, or a failure after `ms`. */
  next(ms?: number): Promise<FormattedExecutionResult<T, unknown>>;
  /** Resolves with the results that arrive within `ms` (for "nothing else arrives"). */
  drain(ms: number): Promise<FormattedExecutionResult<T, unknown>[]>;
  stop(): Promise<void>;
}

/**
 * A graphql-ws client as the dashboard uses it: the token in connectionParams, no reconnecting
 * of its own. `headers` go on the upgrade request (`x-forwarded-for` behind a trusted proxy).
 */
export function connect(url: string, token?: string, options: { headers?: Record<string, string> } = {}): TestSocket {
  const closes: { code: number; reason: string }[] = [];
  let opened = 0;
  const headers = options.headers;
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: headers
      ? class extends WebSocket {
          constructor(address: string, protocols?: string | string[]) {
            super(address, protocols, { headers });
          }
        }
      : WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: {
      opened: () => {
        opened += 1;
      },
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closes.push({ code, reason: String(reason) });
      },
    },
  });
  return {
    client,
    closes,
    opened: () => opened,
    subscribe<T>(query: string, variables?: Record<string, unknown>): Results<T> {
      const iterator = client.iterate<T>({ query, variables });
      const buffered: Promise<IteratorResult<FormattedExecutionResult<T, unknown>>>[] = [];
      const pull = () => {
        const pending = iterator.next().catch((error: unknown) => ({
          done: false as const,
          value: { errors: toErrors(error) } as FormattedExecutionResult<T, unknown>,
        }));
        buffered.push(pending);
      };
      pull();
      const next = async (ms = 10_000): Promise<FormattedExecutionResult<T, unknown>> => {
        const pending = buffered[0]!;
        let timer: NodeJS.Timeout | undefined;
        const result = await Promise.race([
          pending,
          new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms))),
        ]);
        clearTimeout(timer);
        if (result === 'timeout') throw new Error(`no result within ${ms} ms`);
        void buffered.shift();
        if (result.done) throw new Error('the subscription completed');
        pull();
        return result.value;
      };
      return {
        next,
        drain: async (ms) => {
          const results: FormattedExecutionResult<T, unknown>[] = [];
          const until = Date.now() + ms;
          for (;;) {
            const left = until - Date.now();
            if (left <= 0) return results;
            try {
              results.push(await next(left));
            } catch {
              return results;
            }
          }
        },
        stop: async () => {
          await iterator.return?.();
        },
      };
    },
    dispose: () => client.dispose() as Promise<void>,
  };
}

function toErrors(error: unknown): { message: string; extensions?: Record<string, unknown> }[] {
  if (Array.isArray(error)) return error as { message: string }[];
  if (error && typeof error === 'object' && 'code' in error) {
    const { code, reason } = error as { code: number; reason: string };
    return [{ message: `socket closed ${code}: ${reason}`, extensions: { closeCode: code } }];
  }
  return [{ message: error instanceof Error ? error.message : String(error) }];
}
