import { randomBytes } from 'node:crypto';
import { TEST_REDIS_URL } from '../../../tests/kit/supergraph';
import { MemorySignInStateStore, RedisSignInStateStore } from './sign-in-state.store';
import type { SignInStateStore } from './sign-in-state.store';

describe.each([
  ['memory', () => new MemorySignInStateStore()],
  ['Redis', () => new RedisSignInStateStore(TEST_REDIS_URL, `auralink-test:${randomBytes(6).toString('hex')}:sign-in`)],
] as [string, () => SignInStateStore][])('the sign-in state store in %s', (_name, open) => {
  it('gives a value back once: a second take finds nothing', async () => {
    const store = open();
    try {
      await store.put('oidc:abc', { configId: 'sso_1', nonce: 'n' }, 60_000);
      expect(await store.take('oidc:abc')).toEqual({ configId: 'sso_1', nonce: 'n' });
      expect(await store.take('oidc:abc')).toBeUndefined();
      expect(await store.take('oidc:never-put')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('claims a key once: a second claim while it is noted is refused', async () => {
    const store = open();
    try {
      expect(await store.claim('saml-assertion:sso_1:_a1', 60_000)).toBe(true);
      expect(await store.claim('saml-assertion:sso_1:_a1', 60_000)).toBe(false);
      expect(await store.claim('saml-assertion:sso_2:_a1', 60_000)).toBe(true);
    } finally {
      await store.close();
    }
  });
});

describe('the sign-in state store in memory', () => {
  it('forgets a value once its time is up', async () => {
    let now = 1_000_000;
    const store = new MemorySignInStateStore(() => now);
    await store.put('oidc:late', { configId: 'sso_1' }, 600_000);
    now += 600_000;
    expect(await store.take('oidc:late')).toBeUndefined();
  });

  it('lets a claim be made again once its time is up', async () => {
    let now = 1_000_000;
    const store = new MemorySignInStateStore(() => now);
    expect(await store.claim('saml-assertion:sso_1:_a1', 1_000)).toBe(true);
    now += 1_000;
    expect(await store.claim('saml-assertion:sso_1:_a1', 1_000)).toBe(true);
  });
});
