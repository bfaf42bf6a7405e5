import type { Config } from '../config';
import { UnauthenticatedError } from '../errors';
import { newId } from '../ids';
import { derivedKey } from '../secrets';
import { SignedLinks } from '../signed-links';
import type { Principal } from './principal';
import type { TokenVerifier } from './token-verifier';

/** The services that may sign a service token: compliance, which runs data-subject requests. */
export type ServiceName = 'compliance';

/** A service token is `svc_` followed by a signed grant. */
const PREFIX = 'svc_';
/** A service token lives this long: enough for one data-subject request's calls, never a standing credential. */
export const SERVICE_TOKEN_TTL_SECONDS = 300;

interface ServiceClaims {
  /** The service. */
  s: ServiceName;
  /** The organization the calls are about. */
  o: string;
  /** The token's own id, kept as the principal's session id (for logs and the audit log). */
  j: string;
}

/**
 * Tokens a service signs for its calls through the gateway: one organization, five minutes, an
 * HMAC-SHA256 under a key derived from SECRETS_KEY that every process holds, so the gateway and
 * each subgraph verify it without asking anyone. A service principal answers only the fields
 * meant for it (the data-subject contract, platform/personal-data/data-subject.ts): it holds no
 * role, so every other field is refused.
 */
export class ServiceTokens {
  private readonly links: SignedLinks<ServiceClaims>;

  constructor(key: Buffer) {
    this.links = new SignedLinks(key);
  }

  static fromConfig(config: Config): ServiceTokens {
    return new ServiceTokens(derivedKey(config, 'service-tokens'));
  }

  sign(service: ServiceName, organizationId: string, now = new Date()): string {
    const expiresAt = new Date(now.getTime() + SERVICE_TOKEN_TTL_SECONDS * 1000);
    return PREFIX + this.links.sign({ s: service, o: organizationId, j: newId('serviceToken') }, expiresAt);
  }

  verify(token: string, now = new Date()): Principal {
    let opened: { claims: ServiceClaims; expiresAt: Date };
    try {
      opened = this.links.open(token.slice(PREFIX.length), now);
    } catch {
      throw new UnauthenticatedError('This service token is not valid or has expired');
    }
    const { s, o, j } = opened.claims;
    if (s !== 'compliance' || typeof o !== 'string' || typeof j !== 'string')
      throw new UnauthenticatedError('This service token is not valid');
    return { userId: `service:${s}`, organizationId: o, sessionId: j, expiresAt: opened.expiresAt, service: s };
  }
}

export function isServiceToken(token: string): boolean {
  return token.startsWith(PREFIX);
}

/** Service tokens (`svc_…`) are verified here; every other token goes on to `others`. */
export function withServiceTokens(others: TokenVerifier, tokens: ServiceTokens): TokenVerifier {
  return async (token) => (isServiceToken(token) ? tokens.verify(token) : others(token));
}
