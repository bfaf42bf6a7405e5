/** Who is calling: the verified claims of a session token. */
export interface Principal {
  userId: string;
  organizationId: string;
  /** The token's `jti`: identifies the session the token belongs to. */
  sessionId: string;
  expiresAt: Date;
}
