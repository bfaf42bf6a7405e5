/** An API key's own limits, on a principal that authenticated with one (`Authorization: Bearer ak_live_…`). */
export interface ApiKeyGrant {
  /** `apikey_…`. */
  id: string;
  name: string;
  /**
   * What the key may do, `resource:action` (wildcards allowed), always within what its
   * creator holds at the time of each request; null: everything its creator holds.
   */
  permissions: readonly string[] | null;
  /**
   * A partner's key: the names of the manifest operations (schema/operation-manifest.json) it
   * may run, each only as that document; null: any document.
   */
  operations?: readonly string[] | null;
  /** The key's own budgets per rate-limit window, counted by the gateway across its processes (platform/rate-limit.ts). */
  limits?: ApiKeyLimits;
}

/** What one API key may spend per window (`RATE_LIMIT_WINDOW_SECONDS`), whatever its creator's own budget. */
export interface ApiKeyLimits {
  /** Requests. */
  requestsPerWindow: number;
  /** The summed cost of its operations, as the document cost limit counts it (platform/limits/cost-rule.ts). */
  costPerWindow: number;
}

/** Who is calling: the verified claims of a session token, or of an API key acting for the member who created it. */
export interface Principal {
  userId: string;
  organizationId: string;
  /** The token's `jti`: identifies the session the token belongs to (for an API key, the key's id). */
  sessionId: string;
  expiresAt: Date;
  /** Set when the caller authenticated with an API key. */
  apiKey?: ApiKeyGrant;
  /**
   * Set when the caller is one of the platform's services with a service token
   * (platform/auth/service-token.ts): `userId` is then `service:<name>`, and only the
   * fields meant for that service answer it.
   */
  service?: 'compliance';
}
