/**
 * Hands values to `deliver` in the order they were added, each as soon as it and every one
 * before it are ready: a shared subscription executes its events side by side (a slow entity
 * fetch does not hold back the next event's) and every client still gets them in the order
 * they came.
 */
export class InOrder<T> {
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly deliver: (value: T) => void) {}

  add(value: Promise<T>): void {
    this.last = this.last.then(() => value).then(this.deliver);
  }

  /** Runs `run` once everything added so far has been delivered (the stream's end). */
  afterAll(run: () => void): void {
    void this.last.then(run);
  }
}
