import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { UnauthenticatedError } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import type { Outbox } from '../../../platform/outbox/outbox';
import { LOCAL_REVOCATIONS } from '../../../platform/outbox/event-catalogue';
import type { SessionRevocationReason } from '../../../platform/outbox/event-catalogue';
import type { IssuedToken, SessionTokenService } from './session-token.service';

/** A refresh token's text: the prefix, then 32 random bytes. */
const REFRESH_TOKEN_PREFIX = 'rt_';

export interface SessionLifetimes {
  /** A session not refreshed for this long ends. */
  idleTimeoutMs: number;
  /** A session ends this long after sign-in, however often it is refreshed. */
  absoluteLifetimeMs: number;
}

export const DEFAULT_SESSION_LIFETIMES: SessionLifetimes = {
  idleTimeoutMs: 24 * 60 * 60 * 1000,
  absoluteLifetimeMs: 30 * 24 * 60 * 60 * 1000,
};

export interface SignedIn {
  sessionId: string;
  accessToken: IssuedToken;
  refreshToken: string;
}

type RefreshOutcome =
  | { kind: 'rotated'; sessionId: string; userId: string; organizationId: string; refreshToken: string }
  | { kind: 'refused'; reason: string; revocationEventId?: string };

/** How long an ending waits for this process's revocations to take it in (read-your-writes), at most. */
const REVOCATION_SETTLE_MS = 5_000;

/**
 * Sign-in sessions: a short-lived access token (the session token, carrying the session's
 * id) and a refresh token that is replaced on every use. Only SHA-256 hashes of refresh
 * tokens are stored. A refresh token used a second time means it was copied: the whole
 * session ends, so neither the thief nor the owner can continue with it.
 */
export class SessionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: SessionTokenService,
    private readonly outbox: Outbox,
    private readonly lifetimes: SessionLifetimes = DEFAULT_SESSION_LIFETIMES,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a session for an active member (the token service refuses anyone else). */
  async start(userId: string, organizationId: string): Promise<SignedIn> {
    const sessionId = newId('session');
    const accessToken = await this.tokens.issueSessionToken(userId, organizationId, undefined, sessionId);
    const refreshToken = newRefreshToken();
    const now = this.now();
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        'INSERT INTO identity.sessions (id, user_id, organization_id, created_at, last_used_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)',
        [sessionId, userId, organizationId, new Date(now), new Date(now + this.lifetimes.absoluteLifetimeMs)],
      );
      await manager.query('INSERT INTO identity.refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)', [
        hashToken(refreshToken),
        sessionId,
        new Date(now),
      ]);
    });
    return { sessionId, accessToken, refreshToken };
  }

  /** Exchanges a refresh token for a new access token and a new refresh token. */
  async refresh(refreshToken: string): Promise<SignedIn> {
    const outcome = await this.dataSource.transaction(async (manager): Promise<RefreshOutcome> => {
      const rows = (await manager.query(
        `SELECT s.id, s.user_id, s.organization_id, s.last_used_at, s.expires_at, s.revoked_at, r.rotated_at
           FROM identity.refresh_tokens r JOIN identity.sessions s ON s.id = r.session_id
          WHERE r.token_hash = $1 FOR UPDATE OF s`,
        [hashToken(refreshToken)],
      )) as {
        id: string;
        user_id: string;
        organization_id: string;
        last_used_at: Date;
        expires_at: Date;
        revoked_at: Date | null;
        rotated_at: Date | null;
      }[];
      const session = rows[0];
      if (!session) return { kind: 'refused', reason: 'Refresh token is not valid: sign in again' };
      if (session.revoked_at) return { kind: 'refused', reason: 'This session has ended: sign in again' };
      const now = this.now();
      let revocationEventId: string | undefined;
      const revoke = async (reason: SessionRevocationReason) => {
        await manager.query('UPDATE identity.sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1', [
          session.id,
          new Date(now),
          reason,
        ]);
        revocationEventId = await this.outbox.add(manager, {
          type: 'identity.session.revoked',
          payload: { organizationId: session.organization_id, userId: session.user_id, sessionId: session.id, reason },
        });
      };
      if (session.rotated_at) {
        await revoke('refresh_reuse');
        return {
          kind: 'refused',
          reason: 'Refresh token was already used: the session has been ended, sign in again',
          revocationEventId,
        };
      }
      if (session.expires_at.getTime() <= now) {
        await revoke('expired');
        return { kind: 'refused', reason: 'This session has reached its lifetime: sign in again', revocationEventId };
      }
      if (session.last_used_at.getTime() + this.lifetimes.idleTimeoutMs <= now) {
        await revoke('idle');
        return { kind: 'refused', reason: 'This session was idle too long: sign in again', revocationEventId };
      }
      const next = newRefreshToken();
      await manager.query('UPDATE identity.refresh_tokens SET rotated_at = $2 WHERE token_hash = $1', [
        hashToken(refreshToken),
        new Date(now),
      ]);
      await manager.query('INSERT INTO identity.refresh_tokens (token_hash, session_id, created_at) VALUES ($1, $2, $3)', [
        hashToken(next),
        session.id,
        new Date(now),
      ]);
      await manager.query('UPDATE identity.sessions SET last_used_at = $2 WHERE id = $1', [session.id, new Date(now)]);
      return {
        kind: 'rotated',
        sessionId: session.id,
        userId: session.user_id,
        organizationId: session.organization_id,
        refreshToken: next,
      };
    });
    if (outcome.kind === 'refused') {
      // The session's access tokens are refused by this process before the answer goes out.
      if (outcome.revocationEventId) await this.settled(outcome.revocationEventId);
      throw new UnauthenticatedError(outcome.reason);
    }
    // The token service refuses a member who is no longer active.
    const accessToken = await this.tokens.issueSessionToken(outcome.userId, outcome.organizationId, undefined, outcome.sessionId);
    return { sessionId: outcome.sessionId, accessToken, refreshToken: outcome.refreshToken };
  }

  /**
   * Signs out: the session of this refresh token ends, and its access tokens are refused by
   * this process when the answer comes. An unknown token, or one of an ended session, changes
   * nothing (false).
   */
  async logout(refreshToken: string): Promise<boolean> {
    const eventId = await this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `UPDATE identity.sessions SET revoked_at = $2, revoked_reason = 'logout'
          WHERE revoked_at IS NULL AND id = (SELECT session_id FROM identity.refresh_tokens WHERE token_hash = $1)
          RETURNING id, user_id, organization_id`,
        [hashToken(refreshToken), new Date(this.now())],
      )) as [{ id: string; user_id: string; organization_id: string }[], number];
      const session = rows[0];
      if (!session) return undefined;
      return this.outbox.add(manager, {
        type: 'identity.session.revoked',
        payload: { organizationId: session.organization_id, userId: session.user_id, sessionId: session.id, reason: 'logout' },
      });
    });
    if (!eventId) return false;
    await this.settled(eventId);
    return true;
  }

  /** Waits until this process's revocations have the ending (no wait without messaging: a command-line tool). */
  private async settled(eventId: string): Promise<void> {
    await this.outbox.appliedBy([LOCAL_REVOCATIONS], eventId, REVOCATION_SETTLE_MS);
  }

  /** Whether the session is open (neither ended nor past its lifetime). */
  async isOpen(sessionId: string): Promise<boolean> {
    const rows = (await this.dataSource.query('SELECT 1 FROM identity.sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2', [
      sessionId,
      new Date(this.now()),
    ])) as unknown[];
    return rows.length > 0;
  }
}

/** Whether `value` has the form of a refresh token (it may still be unknown). */
export function isRefreshToken(value: string): boolean {
  return /^rt_[A-Za-z0-9_-]{43}$/.test(value);
}

function newRefreshToken(): string {
  return `${REFRESH_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
