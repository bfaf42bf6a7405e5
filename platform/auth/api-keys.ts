import { ServiceUnavailableError, UnauthenticatedError } from '../errors';
import { SUBGRAPH_SECRET_HEADER } from '../subgraph-credential';
import type { Principal } from './principal';
import type { TokenVerifier } from './token-verifier';

/** Every API key's text starts with it; session tokens (JWTs) never do. */
export const API_KEY_PREFIX = 'ak_live_';

/** Where identity answers who an API key stands for: to holders of the subgraph credential only. */
export const API_KEY_VERIFY_PATH = '/internal/v1/api-keys/verify';

/** A key that never expires still gets a date: the latest one JavaScript has. */
export const NEVER_EXPIRES = new Date(8_640_000_000_000_000);

export function isApiKey(token: string): boolean {
  return token.startsWith(API_KEY_PREFIX);
}

/** How a principal travels from identity's verify route to the process that asked (dates as ISO text). */
export interface PrincipalJson {
  userId: string;
  organizationId: string;
  sessionId: string;
  expiresAt: string;
  apiKey: {
    id: string;
    name: string;
    permissions: string[] | null;
    operations: string[] | null;
    limits?: { requestsPerWindow: number; costPerWindow: number };
  };
}

export function principalToJson(principal: Principal): PrincipalJson {
  return {
    userId: principal.userId,
    organizationId: principal.organizationId,
    sessionId: principal.sessionId,
    expiresAt: principal.expiresAt.toISOString(),
    apiKey: {
      id: principal.apiKey!.id,
      name: principal.apiKey!.name,
      permissions: principal.apiKey!.permissions ? [...principal.apiKey!.permissions] : null,
      operations: principal.apiKey!.operations ? [...principal.apiKey!.operations] : null,
      ...(principal.apiKey!.limits ? { limits: { ...principal.apiKey!.limits } } : {}),
    },
  };
}

/**
 * Asks identity (`identityOrigin`, with the subgraph credential) who an API key stands for:
 * for every process but identity's own, which asks its service. The answer is cached by
 * `cachedTokenVerifier` like a verified session token (at most 60 s), behind the revocation
 * check that every request passes, so a revoked key is refused on its next request.
 * Identity unreachable: SERVICE_UNAVAILABLE (the key may be fine: retry), never UNAUTHENTICATED.
 */
export function remoteApiKeyVerifier(identityOrigin: string, subgraphSecret: string, timeoutMs = 5_000): TokenVerifier {
  const url = new URL(API_KEY_VERIFY_PATH, identityOrigin);
  return async (key) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SUBGRAPH_SECRET_HEADER]: subgraphSecret },
        body: JSON.stringify({ key }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      throw unavailable();
    }
    const body = (await response.json().catch(() => null)) as { principal?: PrincipalJson; errors?: { message?: string }[] } | null;
    if (response.status === 401) throw new UnauthenticatedError(body?.errors?.[0]?.message ?? 'API key is not valid');
    if (response.status !== 200 || !body?.principal) throw unavailable();
    const { principal } = body;
    return { ...principal, expiresAt: new Date(principal.expiresAt) };
  };
}

function unavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError(
    'identity',
    'Your API key cannot be verified right now: the identity service is unavailable. Retry shortly.',
  );
}

/** Session tokens go to `sessionTokens`, API keys (`ak_live_…`) to `apiKeys`. */
export function withApiKeys(sessionTokens: TokenVerifier, apiKeys: TokenVerifier): TokenVerifier {
  return (token) => (isApiKey(token) ? apiKeys(token) : sessionTokens(token));
}
