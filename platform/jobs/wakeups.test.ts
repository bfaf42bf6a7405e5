import { Wakeups } from './wakeups';

describe('job loop wake-ups', () => {
  it('wakes a loop whose run was sent between its empty fetch and its sleep', async () => {
    const wakeups = new Wakeups();
    const seen = wakeups.count('a.job');
    wakeups.wake('a.job'); // the NOTIFY arrives before the loop sleeps
    // Without the count the loop would sleep the whole polling interval (an hour here; jest would time out).
    await wakeups.wait('a.job', 3_600_000, new AbortController().signal, seen);
    expect(wakeups.count('a.job')).toBe(seen + 1);
  });

  it('wakes a sleeping loop of that job only', async () => {
    const wakeups = new Wakeups();
    const stop = new AbortController();
    const woken: string[] = [];
    const a = wakeups.wait('a.job', 3_600_000, stop.signal, wakeups.count('a.job')).then(() => woken.push('a'));
    const b = wakeups.wait('b.job', 3_600_000, stop.signal, wakeups.count('b.job')).then(() => woken.push('b'));
    wakeups.wake('a.job');
    await a;
    expect(woken).toEqual(['a']);
    stop.abort();
    await b;
    expect(woken).toEqual(['a', 'b']);
  });
});
