import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../../platform/config';
import { ForbiddenError, NotFoundError } from '../../../platform/errors';
import type { MemberService } from './member.service';
import type { SigningKeyService } from './signing-key.service';
import type { UserService } from './user.service';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/** Signs session tokens (EdDSA JWTs) for active members of an organization. */
export class SessionTokenService {
  constructor(
    private readonly config: Pick<Config, 'auth'>,
    private readonly keys: SigningKeyService,
    private readonly users: UserService,
    private readonly members: MemberService,
  ) {}

  /** With `sessionId`, the token belongs to that sign-in session (its `jti` and `sid`). */
  async issueSessionToken(
    userId: string,
    organizationId: string,
    ttlSeconds = this.config.auth.tokenTtlSeconds,
    sessionId?: string,
  ): Promise<IssuedToken> {
    if (!(await this.users.findById(userId))) throw new NotFoundError('User', userId, 'userId');
    if (!(await this.members.isActiveMember(organizationId, userId))) throw notActiveMember(userId, organizationId);
    return this.sign(userId, organizationId, ttlSeconds, sessionId);
  }

  /**
   * Signs without looking the member up: for a caller that has just written, in a statement
   * that required an active membership, the session the token belongs to.
   */
  async sign(
    userId: string,
    organizationId: string,
    ttlSeconds = this.config.auth.tokenTtlSeconds,
    sessionId?: string,
  ): Promise<IssuedToken> {
    const { kid, privateKey } = await this.keys.activeKey();
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + ttlSeconds;
    const token = await new SignJWT(sessionId ? { org: organizationId, sid: sessionId } : { org: organizationId })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.config.auth.issuer)
      .setAudience(this.config.auth.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(sessionId ?? randomUUID())
      .sign(privateKey);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }
}

export function notActiveMember(userId: string, organizationId: string): ForbiddenError {
  return new ForbiddenError(`userId: ${userId} is not an active member of organization ${organizationId}`, { field: 'userId' });
}
