import type { Principal } from './principal';
import type { TokenVerifier } from './token-verifier';

export interface TokenCacheOptions {
  /** Most tokens remembered; the least recently used goes first. */
  maxEntries?: number;
  /** How long a verification is trusted, at most (and never past the token's own expiry). */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Remembers tokens that verified, so a client sending the same token on every request
 * pays for one Ed25519 signature check per token and minute rather than per request (the
 * check was the largest single cost in the gateway's CPU profile, BENCHMARKS.md). The
 * gateway and every subgraph use it; whether the member is still active is checked after
 * it, on every request (membership revocations), so a cached token is refused as soon as
 * its member is suspended or removed.
 * Only successes are kept; a token past its `exp` is verified again, and so refused.
 * Keys are the exact token text: a token that differs in one character is a new token.
 * API keys (platform/auth/api-keys.ts) are cached the same way; a key's revocation fact
 * evicts it (`evict`), and the revocation check refuses it meanwhile.
 */
export interface CachedTokenVerifier extends TokenVerifier {
  /** Forgets every cached verification whose principal matches (a revoked API key's). */
  evict(matches: (principal: Principal) => boolean): void;
}

export function cachedTokenVerifier(verify: TokenVerifier, options: TokenCacheOptions = {}): CachedTokenVerifier {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { principal: Principal; trustedUntil: number }>();

  const cachedVerify = async (token: string): Promise<Principal> => {
    const cached = entries.get(token);
    if (cached) {
      entries.delete(token);
      if (cached.trustedUntil > now()) {
        entries.set(token, cached); // most recently used last
        return cached.principal;
      }
    }
    const principal = await verify(token);
    const verifiedAt = now();
    entries.set(token, { principal, trustedUntil: Math.min(verifiedAt + maxAgeMs, principal.expiresAt.getTime()) });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    return principal;
  };
  return Object.assign(cachedVerify, {
    evict: (matches: (principal: Principal) => boolean) => {
      for (const [token, entry] of entries) if (matches(entry.principal)) entries.delete(token);
    },
  });
}
