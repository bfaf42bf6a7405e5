import { SignJWT } from 'jose';
import type { KeyLike } from 'jose';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { ForbiddenError } from '../errors';
import { createTokenVerifier } from './token-verifier';
import type { TokenVerifier } from './token-verifier';

/**
 * Service-to-service calls (identity asking authz to give an organization's creator the
 * owner role) carry a short-lived token signed with identity's key, for an audience no
 * session token has, scoped to one organization. Internal routes accept nothing else.
 */
export const INTERNAL_AUDIENCE_SUFFIX = ':internal';
export const SERVICE_TOKEN_TTL_SECONDS = 60;

export function internalAudience(config: Pick<Config, 'auth'>): string {
  return `${config.auth.audience}${INTERNAL_AUDIENCE_SUFFIX}`;
}

export function serviceSubject(service: string): string {
  return `service:${service}`;
}

export async function signServiceToken(
  config: Pick<Config, 'auth'>,
  key: { kid: string; privateKey: KeyLike },
  service: string,
  organizationId: string,
): Promise<string> {
  const issuedAt = Math.floor(Date.now() / 1000);
  return new SignJWT({ org: organizationId })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
    .setSubject(serviceSubject(service))
    .setIssuer(config.auth.issuer)
    .setAudience(internalAudience(config))
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + SERVICE_TOKEN_TTL_SECONDS)
    .setJti(randomUUID())
    .sign(key.privateKey);
}

/** Verifies a service token from `service` for `organizationId`; anything else is refused. */
export function createServiceTokenVerifier(
  config: Pick<Config, 'auth'>,
): (token: string, service: string, organizationId: string) => Promise<void> {
  const verify: TokenVerifier = createTokenVerifier({ ...config.auth, audience: internalAudience(config) });
  return async (token, service, organizationId) => {
    const principal = await verify(token);
    if (principal.userId !== serviceSubject(service) || principal.organizationId !== organizationId) {
      throw new ForbiddenError(`This route is for the ${service} service, for organization ${organizationId}`);
    }
  };
}
