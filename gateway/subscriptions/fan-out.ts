import { createHash } from 'node:crypto';
import type { ExecutionResult } from 'graphql';
import type { GraphQLError } from 'graphql';

/** What a client is sent when its queue overflows, just before its socket is closed. */
export const CLOSE_TOO_SLOW = 4429;

/**
 * A client's socket and operation id, for results written to it straight from the shared
 * subscription: one `next` message built around the result serialised once for all its
 * subscribers, instead of graphql-ws serialising and validating it again per client.
 */
export interface DirectDelivery {
  /** The graphql-ws operation id the client subscribed with. */
  id: string;
  socket: { readonly readyState: number; send(data: Buffer, options: { binary: false }, callback: (error?: Error) => void): void };
}

/** `WebSocket.OPEN` */
const OPEN = 1;
const TEXT = { binary: false } as const;
const MESSAGE_END = Buffer.from('}');

/**
 * One client's view of a shared subscription: a bounded queue of results. A client that
 * cannot keep up (its queue is full) is dropped by `onOverflow`, never buffered without limit.
 * With `direct`, results are written to the client's socket as they come and the queue
 * bound applies to writes the socket has not yet flushed; the iterator then only ends.
 */
export class Subscriber implements AsyncIterableIterator<ExecutionResult> {
  private readonly queue: ExecutionResult[] = [];
  private waiting: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
  private finished = false;
  private closed = false;
  private unflushed = 0;
  private readonly messageStart: Buffer;
  private readonly flushed = () => {
    this.unflushed -= 1;
  };

  constructor(
    private readonly maxQueue: number,
    private readonly onOverflow: () => void,
    private readonly onClose: () => void,
    private readonly direct?: DirectDelivery,
  ) {
    this.messageStart = Buffer.from(direct ? `{"id":${JSON.stringify(direct.id)},"type":"next","payload":` : '');
  }

  /** `serialized`: the result as the `payload` of a graphql-ws `next` message (UTF-8), shared by every subscriber. */
  push(result: ExecutionResult, serialized: () => Buffer = () => Buffer.from(JSON.stringify(result))): void {
    if (this.finished) return;
    if (this.direct) {
      if (this.direct.socket.readyState !== OPEN) return;
      if (this.unflushed >= this.maxQueue) {
        this.finish();
        this.onOverflow();
        return;
      }
      this.unflushed += 1;
      const payload = serialized();
      const message = Buffer.concat([this.messageStart, payload, MESSAGE_END], this.messageStart.length + payload.length + 1);
      this.direct.socket.send(message, TEXT, this.flushed);
      return;
    }
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: result, done: false });
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      this.finish();
      this.onOverflow();
      return;
    }
    this.queue.push(result);
  }

  /** The stream ended (upstream completed or failed): after what is queued, the iterator is done. */
  end(): void {
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
    this.finished = true;
  }

  get queued(): number {
    return this.queue.length;
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    const value = this.queue.shift();
    if (value) return { value, done: false };
    if (this.finished) return { value: undefined, done: true };
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    this.queue.length = 0;
    this.end();
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}

/**
 * Identical subscriptions share one upstream subscription and one execution per event:
 * same session token (so the same user, organization, permissions and expiry), same
 * document, same variables. The upstream starts with the first subscriber and stops with
 * the last.
 */
export class SharedSubscriptions {
  private readonly groups = new Map<string, { subscribers: Set<Subscriber>; stop: () => void }>();

  /** `serialize`: a result as its subscribers' clients receive it, done once per result for all of them. */
  constructor(private readonly serialize: (result: ExecutionResult) => string = (result) => JSON.stringify(result)) {}

  static keyOf(parts: { authorization: string; document: string; operationName?: string; variables: unknown }): string {
    return createHash('sha256')
      .update(JSON.stringify([parts.authorization, parts.operationName ?? null, parts.document, parts.variables ?? null]))
      .digest('base64url');
  }

  get upstreamCount(): number {
    return this.groups.size;
  }

  /**
   * Adds a subscriber to the group `key`; `start` opens the upstream when the group is new
   * and delivers each result (or the end) to `deliver`/`finish` for every subscriber.
   */
  join(
    key: string,
    subscriber: Subscriber,
    start: (deliver: (result: ExecutionResult) => void, finish: (error?: readonly GraphQLError[]) => void) => () => void,
  ): () => void {
    let group = this.groups.get(key);
    if (!group) {
      const subscribers = new Set<Subscriber>();
      const created = { subscribers, stop: () => {} };
      this.groups.set(key, created);
      created.stop = start(
        (result) => {
          const serialized = this.serializedOnce(result);
          for (const member of subscribers) member.push(result, serialized);
        },
        (errors) => {
          this.groups.delete(key);
          const result = errors ? { errors } : undefined;
          const serialized = result && this.serializedOnce(result);
          for (const member of subscribers) {
            if (result) member.push(result, serialized);
            member.end();
          }
        },
      );
      group = created;
    }
    group.subscribers.add(subscriber);
    return () => {
      const current = this.groups.get(key);
      if (!current?.subscribers.delete(subscriber)) return;
      if (current.subscribers.size === 0) {
        this.groups.delete(key);
        current.stop();
      }
    };
  }

  private serializedOnce(result: ExecutionResult): () => Buffer {
    let bytes: Buffer | undefined;
    return () => (bytes ??= Buffer.from(this.serialize(result)));
  }
}
