import type { Request } from 'express';
import { GraphQLError } from 'graphql';
import type { Principal } from './auth/principal';
import { bearerToken } from './auth/token-verifier';
import type { TokenVerifier } from './auth/token-verifier';
import { CodedError, HTTP_STATUS_BY_CODE } from './errors';

/**
 * No Authorization header: anonymous (only `@public` fields answer). A header that is
 * there but not a valid token: the whole request is refused, with 401.
 */
export async function authenticate(req: Pick<Request, 'headers'>, verifyToken: TokenVerifier): Promise<Principal | null> {
  try {
    const token = bearerToken(req.headers.authorization);
    return token === undefined ? null : await verifyToken(token);
  } catch (error) {
    if (error instanceof CodedError) {
      throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: HTTP_STATUS_BY_CODE[error.code] } } });
    }
    throw error;
  }
}
