import { createClient } from 'graphql-ws';
import type { Client, Sink } from 'graphql-ws';
import type { ExecutionResult } from 'graphql';
import WebSocket from 'ws';
import type { Logger } from '../../platform/logger';
import { CLOSE_MEMBERSHIP_REVOKED } from '../../platform/websocket';
import { SUBGRAPH_SECRET_HEADER } from '../../platform/subgraph-credential';

const CLOSE_IDLE_AFTER_MS = 5_000;

/**
 * WebSocket connections from the gateway to subgraphs (graphql-ws), one per subgraph and
 * caller token: the token travels in `connectionParams`, as a client's does to the
 * gateway, so the subgraph checks the caller's own permissions; the upgrade request
 * carries the subgraph credential, as every HTTP fetch does. A connection that drops
 * (the subgraph restarts, a network blip) is opened again with backoff and every
 * subscription on it is sent again: the gateway's clients see a gap, not an error.
 */
export class UpstreamConnections {
  private readonly clients = new Map<string, { client: Client; users: number }>();
  private readonly webSocketImpl: new (address: string, protocols?: string | string[]) => WebSocket;

  constructor(
    private readonly urlOf: (subgraph: string) => string,
    private readonly logger: Logger,
    secret: string,
  ) {
    this.webSocketImpl = class extends WebSocket {
      constructor(address: string | URL, protocols?: string | string[]) {
        super(address, protocols, { headers: { [SUBGRAPH_SECRET_HEADER]: secret } });
      }
    };
  }

  subscribe(
    subgraph: string,
    authorization: string | undefined,
    request: { query: string; operationName?: string; variables: Record<string, unknown> },
    sink: Sink<ExecutionResult>,
  ): () => void {
    const key = `${subgraph}\n${authorization ?? ''}`;
    let entry = this.clients.get(key);
    if (!entry) {
      entry = { client: this.connect(subgraph, authorization), users: 0 };
      this.clients.set(key, entry);
    }
    entry.users += 1;
    const unsubscribe = entry.client.subscribe<Record<string, unknown>>(request, sink as Sink<ExecutionResult<Record<string, unknown>>>);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribe();
      const current = this.clients.get(key);
      if (current && --current.users === 0) {
        this.clients.delete(key);
        // Disposing while it waits to reconnect rejects with "All Subscriptions Gone": nothing to do about it.
        void Promise.resolve(current.client.dispose()).catch(() => undefined);
      }
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map(({ client }) => Promise.resolve(client.dispose()).catch(() => undefined)));
    this.clients.clear();
  }

  private connect(subgraph: string, authorization: string | undefined): Client {
    const url = this.urlOf(subgraph).replace(/^http/, 'ws');
    return createClient({
      url,
      webSocketImpl: this.webSocketImpl,
      connectionParams: authorization ? { authorization } : {},
      lazy: true,
      lazyCloseTimeout: CLOSE_IDLE_AFTER_MS,
      keepAlive: 10_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      // A subgraph that is down or restarting: keep trying, up to every 2 s. A member suspended or
      // removed is not coming back on this token (the gateway closes the client's socket itself).
      shouldRetry: (event) => (event as { code?: number } | null)?.code !== CLOSE_MEMBERSHIP_REVOKED,
      retryWait: async (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** retries))),
      on: {
        closed: (event) => this.logger.debug({ subgraph, code: (event as { code?: number }).code }, 'upstream socket closed'),
        error: (error) => this.logger.debug({ subgraph, err: error }, 'upstream socket error'),
      },
    });
  }
}
