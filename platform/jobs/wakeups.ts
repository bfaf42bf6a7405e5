/**
 * Wakes a job's idle loops when a run is sent, or sleeps them for the polling interval. Each
 * wake-up counts: a loop passes the count it saw before it fetched, so a run sent between
 * its empty fetch and its sleep wakes it at once instead of at the next poll.
 */
export class Wakeups {
  private readonly waiting = new Map<string, Set<() => void>>();
  private readonly wakes = new Map<string, number>();

  /** How many wake-ups `name` has had: take it before fetching, give it to `wait`. */
  count(name: string): number {
    return this.wakes.get(name) ?? 0;
  }

  wait(name: string, ms: number, stop: AbortSignal, seen?: number): Promise<void> {
    if (stop.aborted || (seen !== undefined && this.count(name) !== seen)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.waiting.get(name) ?? new Set();
      this.waiting.set(name, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        stop.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
      stop.addEventListener('abort', done, { once: true });
    });
  }

  wake(name: string): void {
    this.wakes.set(name, this.count(name) + 1);
    for (const done of [...(this.waiting.get(name) ?? [])]) done();
  }
}
