import type { Principal } from './principal';
import { UnauthenticatedError } from '../errors';
import { cachedTokenVerifier } from './token-cache';

const HOUR = 3_600_000;

function principalFor(token: string, expiresAt: number): Principal {
  return { userId: `user_${token}`, organizationId: 'org_1', sessionId: 'sess_1', expiresAt: new Date(expiresAt) };
}

function setup(options: { expiresInMs?: number; maxEntries?: number } = {}) {
  let clock = 1_000_000;
  const calls: string[] = [];
  const verify = cachedTokenVerifier(
    async (token) => {
      calls.push(token);
      if (token.startsWith('bad')) throw new UnauthenticatedError('Token is malformed');
      return principalFor(token, clock + (options.expiresInMs ?? HOUR));
    },
    { maxAgeMs: 60_000, maxEntries: options.maxEntries, now: () => clock },
  );
  return { verify, calls, advance: (ms: number) => (clock += ms) };
}

describe('cachedTokenVerifier', () => {
  it('verifies a token once and answers the same principal after', async () => {
    const { verify, calls } = setup();

    const first = await verify('a');
    const second = await verify('a');

    expect(second).toBe(first);
    expect(calls).toEqual(['a']);
  });

  it('verifies again after the maximum age', async () => {
    const { verify, calls, advance } = setup();
    await verify('a');

    advance(60_001);
    await verify('a');

    expect(calls).toEqual(['a', 'a']);
  });

  it('never trusts a token past its expiry', async () => {
    const { verify, calls, advance } = setup({ expiresInMs: 5_000 });
    await verify('a');

    advance(5_000);
    await verify('a');

    expect(calls).toEqual(['a', 'a']);
  });

  it('keeps no failure: a bad token is checked, and refused, every time', async () => {
    const { verify, calls } = setup();

    await expect(verify('bad')).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(verify('bad')).rejects.toBeInstanceOf(UnauthenticatedError);

    expect(calls).toEqual(['bad', 'bad']);
  });

  it('forgets the least recently used token beyond its size', async () => {
    const { verify, calls } = setup({ maxEntries: 2 });
    await verify('a');
    await verify('b');
    await verify('a');

    await verify('c'); // evicts b
    await verify('a');
    await verify('b');

    expect(calls).toEqual(['a', 'b', 'c', 'b']);
  });
});
