import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { ServiceUnavailableError, UnauthenticatedError } from '../errors';
import type { Principal } from './principal';

export const SESSION_TOKEN_ALGORITHM = 'EdDSA';

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** identity's JWKS endpoint; keys are cached and re-fetched when an unknown `kid` appears. */
  jwksUrl: string;
}

export type TokenVerifier = (token: string) => Promise<Principal>;

export function createTokenVerifier(options: TokenVerifierOptions, keys?: JWTVerifyGetKey): TokenVerifier {
  const keySet = unavailableWhenUnreachable(
    keys ?? createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 10_000, cacheMaxAge: 10 * 60_000 }),
  );
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: [SESSION_TOKEN_ALGORITHM],
        requiredClaims: ['sub', 'org', 'jti', 'exp'],
      });
      if (typeof payload.org !== 'string' || typeof payload.sub !== 'string' || typeof payload.jti !== 'string') {
        throw new UnauthenticatedError('Token claims are malformed');
      }
      return {
        userId: payload.sub,
        organizationId: payload.org,
        sessionId: payload.jti,
        expiresAt: new Date((payload.exp ?? 0) * 1000),
      };
    } catch (error) {
      if (error instanceof ServiceUnavailableError) throw error;
      throw new UnauthenticatedError(describeTokenFailure(error));
    }
  };
}

/** What a key set throws about the token itself; anything else means the keys could not be had. */
const TOKEN_FAULTS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported, errors.JOSEAlgNotAllowed];

/**
 * The keys could not be fetched (identity down, unreachable, slow, or answering garbage):
 * the token may be perfectly good, so the answer is SERVICE_UNAVAILABLE (retry), never
 * UNAUTHENTICATED (which tells the client to sign in again).
 */
function unavailableWhenUnreachable(keySet: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keySet(header, token);
    } catch (error) {
      if (TOKEN_FAULTS.some((fault) => error instanceof fault)) throw error;
      throw new ServiceUnavailableError(
        'identity',
        "Your token cannot be verified right now: the identity service's signing keys are unavailable. Retry shortly; there is no need to sign in again.",
      );
    }
  };
}

function describeTokenFailure(error: unknown): string {
  if (error instanceof UnauthenticatedError) return error.message;
  if (error instanceof errors.JWTExpired) return 'Token has expired: sign in again';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return 'Token signature is not valid: it was not signed by this identity service';
  }
  if (error instanceof errors.JWTClaimValidationFailed) return `Token claim "${error.claim}" is not valid`;
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSEAlgNotAllowed) {
    return 'Token is malformed';
  }
  return 'Token could not be verified';
}

/** Extracts the token from `Authorization: Bearer <token>`; undefined when absent. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value.trim());
  if (!match?.[1]) throw new UnauthenticatedError('Authorization header must be "Bearer <token>"');
  return match[1];
}
