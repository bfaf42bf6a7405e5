import { InOrder } from './in-order';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe('InOrder', () => {
  it('delivers in the order values were added, though a later one is ready first, and ends after the last', async () => {
    const seen: string[] = [];
    const inOrder = new InOrder<string>((value) => seen.push(value));
    const slow = deferred<string>();
    const fast = deferred<string>();
    inOrder.add(slow.promise);
    inOrder.add(fast.promise);
    const ended = new Promise<void>((resolve) =>
      inOrder.afterAll(() => {
        seen.push('end');
        resolve();
      }),
    );
    fast.resolve('second');
    await Promise.resolve();
    expect(seen).toEqual([]);
    slow.resolve('first');
    await ended;
    expect(seen).toEqual(['first', 'second', 'end']);
  });
});
