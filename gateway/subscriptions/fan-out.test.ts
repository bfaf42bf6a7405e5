import type { ExecutionResult } from 'graphql';
import { SharedSubscriptions, Subscriber } from './fan-out';

const event = (n: number): ExecutionResult => ({ data: { n } });

describe('SharedSubscriptions', () => {
  it('opens one upstream for identical subscriptions, delivers each event to all, and stops with the last', async () => {
    const shared = new SharedSubscriptions();
    let starts = 0;
    let stops = 0;
    let deliver: (result: ExecutionResult) => void = () => {};
    const start = (push: (result: ExecutionResult) => void) => {
      starts += 1;
      deliver = push;
      return () => {
        stops += 1;
      };
    };
    const key = SharedSubscriptions.keyOf({ authorization: 'Bearer a', document: 'subscription { x }', variables: {} });
    const leaves: (() => void)[] = [];
    const subscribers = [0, 1, 2].map(() => {
      const subscriber = new Subscriber(
        10,
        () => {},
        () => leaves[0]?.(),
      );
      leaves.push(shared.join(key, subscriber, start));
      return subscriber;
    });
    expect(starts).toBe(1);
    expect(shared.upstreamCount).toBe(1);
    deliver(event(1));
    for (const subscriber of subscribers) expect(await subscriber.next()).toEqual({ value: event(1), done: false });
    leaves[0]!();
    leaves[1]!();
    expect(stops).toBe(0);
    leaves[2]!();
    expect(stops).toBe(1);
    expect(shared.upstreamCount).toBe(0);
  });

  it('keeps different tokens, documents or variables apart', () => {
    const base = { authorization: 'Bearer a', document: 'subscription { x }', variables: { org: 'org_1' } };
    const keys = new Set([
      SharedSubscriptions.keyOf(base),
      SharedSubscriptions.keyOf({ ...base, authorization: 'Bearer b' }),
      SharedSubscriptions.keyOf({ ...base, document: 'subscription { y }' }),
      SharedSubscriptions.keyOf({ ...base, variables: { org: 'org_2' } }),
    ]);
    expect(keys.size).toBe(4);
  });

  it('passes an upstream error to every subscriber, then ends them', async () => {
    const shared = new SharedSubscriptions();
    let finish: (errors?: never[]) => void = () => {};
    const subscriber = new Subscriber(
      10,
      () => {},
      () => {},
    );
    shared.join('k', subscriber, (_push, end) => {
      finish = end as typeof finish;
      return () => {};
    });
    finish([]);
    expect(await subscriber.next()).toEqual({ value: { errors: [] }, done: false });
    expect(await subscriber.next()).toEqual({ value: undefined, done: true });
  });
});

describe('Subscriber', () => {
  it('drops a client that falls behind by more than its queue, instead of buffering without limit', async () => {
    let overflowed = 0;
    let closed = 0;
    const subscriber = new Subscriber(
      3,
      () => (overflowed += 1),
      () => (closed += 1),
    );
    for (let n = 0; n < 3; n++) subscriber.push(event(n));
    expect(overflowed).toBe(0);
    subscriber.push(event(3));
    expect(overflowed).toBe(1);
    expect(closed).toBe(1);
    expect(subscriber.queued).toBe(0);
    expect(await subscriber.next()).toEqual({ value: undefined, done: true });
  });

  it('hands an event straight to a waiting reader', async () => {
    const subscriber = new Subscriber(
      1,
      () => {},
      () => {},
    );
    const waiting = subscriber.next();
    subscriber.push(event(9));
    expect(await waiting).toEqual({ value: event(9), done: false });
    expect(subscriber.queued).toBe(0);
  });
});

describe('Subscriber writing straight to its socket', () => {
  const socket = () => {
    const sent: { text: string; binary: boolean; flush: () => void }[] = [];
    return {
      sent,
      readyState: 1,
      send(data: Buffer, options: { binary: false }, callback: (error?: Error) => void) {
        sent.push({ text: data.toString('utf8'), binary: options.binary, flush: () => callback() });
      },
    };
  };

  it('sends each shared result as a graphql-ws text message with its own id, serialised once for all', () => {
    let serialisations = 0;
    const shared = new SharedSubscriptions((result) => {
      serialisations += 1;
      return JSON.stringify(result);
    });
    const sockets = [socket(), socket()];
    let deliver: (result: ExecutionResult) => void = () => {};
    sockets.forEach((one, index) =>
      shared.join(
        'k',
        new Subscriber(
          10,
          () => {},
          () => {},
          { id: `op-${index}`, socket: one },
        ),
        (push) => {
          deliver = push;
          return () => {};
        },
      ),
    );
    deliver(event(1));
    expect(serialisations).toBe(1);
    expect(sockets.map((one) => one.sent.map(({ text, binary }) => [JSON.parse(text), binary]))).toEqual([
      [[{ id: 'op-0', type: 'next', payload: { data: { n: 1 } } }, false]],
      [[{ id: 'op-1', type: 'next', payload: { data: { n: 1 } } }, false]],
    ]);
  });

  it('drops a client whose socket has more unflushed results than its queue, and ends its iterator', async () => {
    const one = socket();
    let overflowed = 0;
    const subscriber = new Subscriber(
      2,
      () => (overflowed += 1),
      () => {},
      { id: '1', socket: one },
    );
    const ended = subscriber.next();
    subscriber.push(event(1));
    subscriber.push(event(2));
    one.sent[0]!.flush();
    subscriber.push(event(3));
    expect(overflowed).toBe(0);
    subscriber.push(event(4));
    expect(overflowed).toBe(1);
    expect(one.sent).toHaveLength(3);
    expect(await ended).toEqual({ value: undefined, done: true });
  });
});
