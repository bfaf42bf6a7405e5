/** Who is calling: the verified claims of a session token. */
export interface Principal {
  userId: string;
  organizationId: string;
  /** The token's `jti`: identifies the session the token belongs to. */
  sessionId: string;
  expiresAt: Date;
}

/** The claims identity signs into every session token, besides iss/aud/iat/exp. */
export interface SessionClaims {
  sub: string;
  org: string;
  jti: string;
}
