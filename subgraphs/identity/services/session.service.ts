import { createHash, randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { apiKeyAllows } from '../../../platform/access-enforcement';
import type { Principal } from '../../../platform/auth/principal';
import type { Authorizer } from '../../../platform/authorization/authorizer';
import type { ClientInfo } from '../../../platform/client-info';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../../platform/errors';
import { newId, parseId } from '../../../platform/ids';
import type { Outbox } from '../../../platform/outbox/outbox';
import { LOCAL_REVOCATIONS } from '../../../platform/outbox/event-catalogue';
import type { SessionRevocationReason } from '../../../platform/outbox/event-catalogue';
import type { Session } from '../types/session.type';
import type { SessionPolicyService } from './session-policy.service';
import { notActiveMember } from './session-token.service';
import type { IssuedToken, SessionTokenService } from './session-token.service';

/** A refresh token's text: the prefix, then 32 random bytes. */
const REFRESH_TOKEN_PREFIX = 'rt_';

export interface SignedIn {
  sessionId: string;
  accessToken: IssuedToken;
  refreshToken: string;
}

/**
 * Why a refresh was refused, as `extensions.reason` of its UNAUTHENTICATED error: a client
 * tells "sign in again because of the organization's log-off policy" from a broken token.
 */
export type RefreshRefusal = 'REFRESH_TOKEN_INVALID' | 'REFRESH_TOKEN_REUSED' | 'SESSION_ENDED' | 'SESSION_IDLE' | 'SESSION_EXPIRED';

type RefreshOutcome =
  | { kind: 'rotated'; sessionId: string; userId: string; organizationId: string; refreshToken: string }
  | { kind: 'refused'; refusal: RefreshRefusal; message: string; revocationEventId?: string };

/** How long an ending waits for this process's revocations to take it in (read-your-writes), at most. */
const REVOCATION_SETTLE_MS = 5_000;
/** Open sessions one listing answers, most recently used first. */
const MAX_LISTED = 100;
/** An admin ends the sessions of the organization's members with this permission (owners and admins). */
export const MANAGE_SESSIONS = { resource: 'sessions', action: 'manage' } as const;

interface SessionRow {
  id: string;
  user_id: string;
  organization_id: string;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, user_id, organization_id, created_at, last_used_at, expires_at, ip, user_agent, revoked_at';

export interface SessionServiceOptions {
  now?: () => number;
}

/**
 * Sign-in sessions: a short-lived access token (the session token, carrying the session's
 * id) and a refresh token that is replaced on every use. Only SHA-256 hashes of refresh
 * tokens are stored. A refresh token used a second time means it was copied: the whole
 * session ends, so neither the thief nor the owner can continue with it.
 */
export class SessionService {
  private readonly now: () => number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tokens: SessionTokenService,
    private readonly outbox: Outbox,
    private readonly authorizer: Pick<Authorizer, 'allows'>,
    /** The organization's idle timeout and absolute lifetime. */
    private readonly policies: Pick<SessionPolicyService, 'lifetimesOf' | 'defaultLifetimes'>,
    options: SessionServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Starts a session for an active member (anyone else is refused, FORBIDDEN: the session's
   * insert requires the active membership), noting the address and user agent it comes from.
   * `withSession`: what else the sign-in writes in the session's transaction (its fact), so both exist or neither.
   */
  async start(
    userId: string,
    organizationId: string,
    client: ClientInfo = { ip: null, userAgent: null },
    withSession?: (manager: EntityManager, sessionId: string) => Promise<unknown>,
  ): Promise<SignedIn> {
    const sessionId = newId('session');
    // Signed first, answered only when the session below exists: no session is left without its tokens.
    const accessToken = await this.tokens.sign(userId, organizationId, undefined, sessionId);
    const refreshToken = newRefreshToken();
    const now = this.now();
    await this.dataSource.transaction(async (manager) => {
      // One statement: the session, only for an active member (so for an existing user), with the
      // organization's absolute lifetime (the default when it set none), and its refresh token.
      const rows = (await manager.query(
        `WITH member AS (
           SELECT m.user_id, m.organization_id,
                  COALESCE(
                    (SELECT p.absolute_lifetime_minutes * interval '1 minute' FROM identity.session_policies p WHERE p.organization_id = m.organization_id),
                    $8::float8 * interval '1 millisecond'
                  ) AS lifetime
             FROM identity.organization_members m
            WHERE m.organization_id = $3 AND m.user_id = $2 AND m.status = 'active'
         ), session AS (
           INSERT INTO identity.sessions (id, user_id, organization_id, created_at, last_used_at, expires_at, ip, user_agent)
           SELECT $1, user_id, organization_id, $4, $4, $4::timestamptz + lifetime, $5, $6 FROM member
           RETURNING id
         )
         INSERT INTO identity.refresh_tokens (token_hash, session_id, created_at) SELECT $7, id, $4 FROM session RETURNING session_id`,
        [
          sessionId,
          userId,
          organizationId,
          new Date(now),
          client.ip,
          client.userAgent,
          hashToken(refreshToken),
          this.policies.defaultLifetimes.absoluteLifetimeMs,
        ],
      )) as unknown[];
      if (rows.length === 0) throw notActiveMember(userId, organizationId);
      await withSession?.(manager, sessionId);
    });
    return { sessionId, accessToken, refreshToken };
  }

  /** Exchanges a refresh token for a new access token and a new refresh token. */
  async refresh(refreshToken: string): Promise<SignedIn> {
    const outcome = await this.dataSource.transaction(async (manager): Promise<RefreshOutcome> => {
      const rows = (await manager.query(
        `SELECT s.id, s.user_id, s.organization_id, s.created_at, s.last_used_at, s.expires_at, s.revoked_at, r.rotated_at
           FROM identity.refresh_tokens r JOIN identity.sessions s ON s.id = r.session_id
          WHERE r.token_hash = $1 FOR UPDATE OF s`,
        [hashToken(refreshToken)],
      )) as {
        id: string;
        user_id: string;
        organization_id: string;
        created_at: Date;
        last_used_at: Date;
        expires_at: Date;
        revoked_at: Date | null;
        rotated_at: Date | null;
      }[];
      const session = rows[0];
      if (!session) return { kind: 'refused', refusal: 'REFRESH_TOKEN_INVALID', message: 'Refresh token is not valid: sign in again' };
      if (session.revoked_at) return { kind: 'refused', refusal: 'SESSION_ENDED', message: 'This session has ended: sign in again' };
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
          refusal: 'REFRESH_TOKEN_REUSED',
          message: 'Refresh token was already used: the session has been ended, sign in again',
          revocationEventId,
        };
      }
      // The organization's policy as it is now (a session started before a change has its expiry moved with it).
      const { idleTimeoutMs, absoluteLifetimeMs } = await this.policies.lifetimesOf(session.organization_id, manager);
      if (Math.min(session.expires_at.getTime(), session.created_at.getTime() + absoluteLifetimeMs) <= now) {
        await revoke('expired');
        return {
          kind: 'refused',
          refusal: 'SESSION_EXPIRED',
          message: `This session has reached the organization's session lifetime (${minutes(absoluteLifetimeMs)}): sign in again`,
          revocationEventId,
        };
      }
      if (session.last_used_at.getTime() + idleTimeoutMs <= now) {
        await revoke('idle');
        return {
          kind: 'refused',
          refusal: 'SESSION_IDLE',
          message: `This session was idle longer than the organization allows (${minutes(idleTimeoutMs)}): sign in again`,
          revocationEventId,
        };
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
      throw new UnauthenticatedError(outcome.message, { reason: outcome.refusal });
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

  /** The caller's open sessions in their token's organization, most recently used first. */
  async listMine(principal: Principal): Promise<Session[]> {
    return this.listOpen(principal, principal.userId);
  }

  /**
   * The open sessions of a member of the caller's organization (the resolver requires
   * `sessions:manage`). Someone who was never a member of it is NOT_FOUND.
   */
  async listForMember(principal: Principal, userId: string): Promise<Session[]> {
    const known = (await this.dataSource.query(
      'SELECT 1 FROM identity.organization_members WHERE organization_id = $1 AND user_id = $2 UNION ALL SELECT 1 FROM identity.sessions WHERE organization_id = $1 AND user_id = $2 LIMIT 1',
      [principal.organizationId, userId],
    )) as unknown[];
    if (known.length === 0) throw new NotFoundError('Member', userId, 'userId');
    return this.listOpen(principal, userId);
  }

  /**
   * Ends one session: one's own, or, with `sessions:manage`, a member's of the same
   * organization. Its access tokens are refused by this process when the answer comes, by the
   * others within the moment the fact takes to reach them. Another organization's session is
   * NOT_FOUND; ending an ended one answers it as it is.
   */
  async revoke(principal: Principal, id: string): Promise<Session> {
    parseId('session', id, 'id');
    assertPerson(principal);
    const [found] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM identity.sessions WHERE id = $1 AND organization_id = $2`, [
      id,
      principal.organizationId,
    ])) as SessionRow[];
    if (!found) throw new NotFoundError('Session', id, 'id');
    const own = found.user_id === principal.userId;
    if (!own) await this.assertManager(principal);
    if (found.revoked_at) return toSession(found, principal);
    const outcome = await this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `UPDATE identity.sessions SET revoked_at = $3, revoked_reason = $4
          WHERE id = $1 AND organization_id = $2 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
        [id, principal.organizationId, new Date(this.now()), own ? 'by_user' : 'by_admin'],
      )) as [SessionRow[], number];
      const revoked = rows[0];
      if (!revoked) return null;
      const eventId = await this.revoked(manager, revoked, own ? 'by_user' : 'by_admin', principal.userId);
      return { row: revoked, eventId };
    });
    if (!outcome) {
      // Ended meanwhile (a sign-out, a refresh past its lifetime): answered as it is now.
      const [now] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM identity.sessions WHERE id = $1`, [id])) as SessionRow[];
      return toSession(now!, principal);
    }
    await this.settled(outcome.eventId);
    return toSession(outcome.row, principal);
  }

  /**
   * Ends every open session of the caller in their token's organization, except, with
   * `keepCurrent`, the one of this request's token. Answers how many ended.
   */
  async revokeAll(principal: Principal, keepCurrent: boolean): Promise<number> {
    assertPerson(principal);
    const eventIds = await this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `UPDATE identity.sessions SET revoked_at = $3, revoked_reason = 'by_user'
          WHERE organization_id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3 AND id <> $4
          RETURNING ${COLUMNS}`,
        [principal.organizationId, principal.userId, new Date(this.now()), keepCurrent ? principal.sessionId : ''],
      )) as [SessionRow[], number];
      const ids: string[] = [];
      for (const row of rows) ids.push(await this.revoked(manager, row, 'by_user', principal.userId));
      return ids;
    });
    await Promise.all(eventIds.map((eventId) => this.settled(eventId)));
    return eventIds.length;
  }

  private async listOpen(principal: Principal, userId: string): Promise<Session[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM identity.sessions
        WHERE organization_id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3
        ORDER BY last_used_at DESC, id DESC LIMIT ${MAX_LISTED}`,
      [principal.organizationId, userId, new Date(this.now())],
    )) as SessionRow[];
    return rows.map((row) => toSession(row, principal));
  }

  private async assertManager(principal: Principal): Promise<void> {
    const allowed =
      apiKeyAllows(principal, MANAGE_SESSIONS) &&
      (await this.authorizer.allows(principal.userId, principal.organizationId, MANAGE_SESSIONS.resource, MANAGE_SESSIONS.action));
    if (!allowed) {
      throw new ForbiddenError(
        `Permission sessions:manage is required to end another member's session in organization "${principal.organizationId}"`,
        { requiredPermission: 'sessions:manage' },
      );
    }
  }

  /** States the ending as a fact, in the transaction that ends it. */
  private revoked(manager: EntityManager, row: SessionRow, reason: SessionRevocationReason, revokedById: string): Promise<string> {
    return this.outbox.add(manager, {
      type: 'identity.session.revoked',
      payload: { organizationId: row.organization_id, userId: row.user_id, sessionId: row.id, reason, revokedById },
    });
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

/** `90 minutes`, `24 hours`, `30 days`: a lifetime as a person reads it. */
function minutes(ms: number): string {
  const total = Math.round(ms / 60_000);
  if (total % (24 * 60) === 0) return plural(total / (24 * 60), 'day');
  if (total % 60 === 0) return plural(total / 60, 'hour');
  return plural(total, 'minute');
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** A session is ended by a person signed in, not by an API key acting for one. */
function assertPerson(principal: Principal): void {
  if (principal.apiKey) throw new ForbiddenError('An API key cannot end sessions: sign in as a person');
}

function toSession(row: SessionRow, principal: Principal): Session {
  return {
    id: row.id,
    organizationId: row.organization_id,
    userId: row.user_id,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
    ip: row.ip,
    userAgent: row.user_agent,
    current: !principal.apiKey && row.id === principal.sessionId,
    revokedAt: row.revoked_at,
  };
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
