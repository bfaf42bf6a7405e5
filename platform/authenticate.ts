import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { RevocationCheck } from './auth/membership-revocations';
import type { Principal } from './auth/principal';
import { bearerToken } from './auth/token-verifier';
import type { TokenVerifier } from './auth/token-verifier';
import { CodedError, HTTP_STATUS_BY_CODE, RateLimitedError, UnauthenticatedError } from './errors';
import type { RateLimiter } from './rate-limit';

/**
 * No Authorization header: anonymous (only `@public` fields answer). A header that is
 * there but not a valid token: the whole request is refused, with 401; a valid token of a
 * member who has been suspended or removed since it was issued: refused, with 403. With a
 * limiter (the gateway), the request is charged to its caller first, and a refused token
 * costs its address more: over budget, 429 with Retry-After.
 */
export async function authenticate(
  req: Pick<IncomingMessage, 'headers' | 'socket'>,
  verifyToken: TokenVerifier,
  revocations: RevocationCheck,
  limiter?: RateLimiter,
): Promise<Principal | null> {
  try {
    const address = limiter?.clientAddress(req) ?? '';
    let principal: Principal | null;
    try {
      const token = bearerToken(req.headers.authorization);
      principal = token === undefined ? null : await verifyToken(token);
    } catch (error) {
      if (limiter && error instanceof UnauthenticatedError) await limiter.chargeFailedAuthentication(address);
      throw error;
    }
    await limiter?.admit(principal, address);
    // After verification, whatever cached it: a cached token of a revoked member is refused too.
    if (principal) await revocations.assertActive(principal);
    return principal;
  } catch (error) {
    if (error instanceof CodedError) {
      const headers = error instanceof RateLimitedError ? new Map([['retry-after', String(error.retryAfterSeconds)]]) : undefined;
      throw new GraphQLError(error.message, {
        extensions: { ...error.extensions, http: { status: HTTP_STATUS_BY_CODE[error.code], ...(headers ? { headers } : {}) } },
      });
    }
    throw error;
  }
}
