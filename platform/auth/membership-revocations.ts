import { MAX_SESSION_TOKEN_TTL_SECONDS } from '../config';
import { ForbiddenError, ServiceUnavailableError, UnauthenticatedError } from '../errors';
import { MEMBERSHIP_EVENT_TYPES, isMembershipEvent } from '../outbox/event-catalogue';
import type { AnyEvent } from '../outbox/event-catalogue';
import type { EventTransport } from '../outbox/transport';
import type { Principal } from './principal';

/**
 * Consulted wherever a principal is established (HTTP and WebSocket, at the gateway and in
 * every subgraph), after the token has been verified, however that verification was
 * cached: a valid token of a suspended or removed member is refused.
 */
export interface RevocationCheck {
  /** Throws FORBIDDEN when the principal's membership is suspended or has ended, UNAUTHENTICATED when its session has ended. */
  assertActive(principal: Principal): Promise<void>;
  /** Calls `onRevoked` when that happens while the principal is connected; the answer stops watching. */
  watch(principal: Principal, onRevoked: () => void): () => void;
  /** Calls `listener` with each API key revoked from now on; the answer stops it. */
  onApiKeyRevoked?(listener: (apiKeyId: string) => void): () => void;
}

/**
 * A token lives at most this long, and identity issues none to a member who is not active:
 * a membership suspended or removed longer ago than this has no live token left to refuse.
 */
const HORIZON_MS = MAX_SESSION_TOKEN_TTL_SECONDS * 1000;
const PRUNE_EVERY_MS = 10 * 60_000;

interface Entry {
  revoked: boolean;
  /** Identity's outbox order: an older event about the same membership never overrides a newer one. */
  sequence: number;
  occurredAt: number;
}

/**
 * The suspended and removed (organization, user) pairs, the ended sign-in sessions and the revoked API keys, kept in memory by every process
 * from identity's membership events: replayed from the event streams at start (the last
 * day, as long as any token lives), then followed as they are published.
 */
export class MembershipRevocations implements RevocationCheck {
  private readonly entries = new Map<string, Entry>();
  /** Ended sign-in sessions, by id, with when they ended. */
  private readonly revokedSessions = new Map<string, number>();
  /** Revoked API keys, by id, with when they were revoked. */
  private readonly revokedApiKeys = new Map<string, number>();
  private readonly apiKeyListeners = new Set<(apiKeyId: string) => void>();
  private readonly allowlistListeners = new Set<(organizationId: string) => void>();
  private readonly watchers = new Map<string, Set<() => void>>();
  private loaded = false;
  private readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    private readonly options: {
      readyTimeoutMs?: number;
      now?: () => number;
      /** Every membership event it has taken in (a membership change waits for this process's). */
      onApplied?: (event: AnyEvent) => void;
    } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  /** Replays what may still matter, then follows new events. Requests wait until the replay is done. */
  async start(transport: EventTransport): Promise<void> {
    await transport.follow(
      [...MEMBERSHIP_EVENT_TYPES, 'identity.session.revoked', 'identity.api_key.revoked', 'identity.admin_ip_allowlist.changed'],
      new Date(this.now() - HORIZON_MS),
      (event) => this.apply(event),
    );
    this.loaded = true;
    this.markReady();
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS).unref();
  }

  close(): void {
    clearInterval(this.pruneTimer);
    this.watchers.clear();
  }

  /** Calls `listener` with the id of every API key revoked from now on (the token caches evict it). */
  onApiKeyRevoked(listener: (apiKeyId: string) => void): () => void {
    this.apiKeyListeners.add(listener);
    return () => this.apiKeyListeners.delete(listener);
  }

  /** Calls `listener` with the organization of every admin IP allowlist change from now on (platform/auth/admin-networks.ts). */
  onAdminAllowlistChanged(listener: (organizationId: string) => void): () => void {
    this.allowlistListeners.add(listener);
    return () => this.allowlistListeners.delete(listener);
  }

  apply(event: AnyEvent): void {
    if (event.type === 'identity.admin_ip_allowlist.changed') {
      for (const listener of [...this.allowlistListeners]) listener(event.payload.organizationId);
      this.options.onApplied?.(event);
      return;
    }
    if (event.type === 'identity.api_key.revoked') {
      this.revokedApiKeys.set(event.payload.apiKeyId, event.occurredAt.getTime());
      for (const listener of [...this.apiKeyListeners]) listener(event.payload.apiKeyId);
      this.options.onApplied?.(event);
      return;
    }
    if (event.type === 'identity.session.revoked') {
      this.revokedSessions.set(event.payload.sessionId, event.occurredAt.getTime());
      this.options.onApplied?.(event);
      return;
    }
    const change = membershipChange(event);
    if (!change) return;
    const key = keyOf(change.organizationId, change.userId);
    const current = this.entries.get(key);
    if (!current || current.sequence < event.sequence) {
      this.entries.set(key, { revoked: change.revoked, sequence: event.sequence, occurredAt: event.occurredAt.getTime() });
      if (change.revoked) for (const onRevoked of [...(this.watchers.get(key) ?? [])]) onRevoked();
    }
    this.options.onApplied?.(event);
  }

  isRevoked(organizationId: string, userId: string): boolean {
    return this.entries.get(keyOf(organizationId, userId))?.revoked === true;
  }

  async assertActive(principal: Principal): Promise<void> {
    if (!this.loaded) await this.untilLoaded();
    if (this.isRevoked(principal.organizationId, principal.userId)) {
      throw new ForbiddenError(
        `Your membership of organization "${principal.organizationId}" is suspended or has ended: this token no longer grants access`,
      );
    }
    if (principal.apiKey) {
      if (this.revokedApiKeys.has(principal.apiKey.id)) throw new UnauthenticatedError('This API key has been revoked');
    } else if (this.revokedSessions.has(principal.sessionId)) {
      throw new UnauthenticatedError('This session has ended: sign in again');
    }
  }

  watch(principal: Principal, onRevoked: () => void): () => void {
    const key = keyOf(principal.organizationId, principal.userId);
    let watchers = this.watchers.get(key);
    if (!watchers) this.watchers.set(key, (watchers = new Set()));
    watchers.add(onRevoked);
    return () => {
      watchers.delete(onRevoked);
      if (watchers.size === 0 && this.watchers.get(key) === watchers) this.watchers.delete(key);
    };
  }

  private async untilLoaded(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.readyTimeoutMs ?? 5_000);
    });
    const outcome = await Promise.race([this.ready, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') throw new ServiceUnavailableError('membership');
  }

  private prune(): void {
    const before = this.now() - HORIZON_MS;
    for (const [key, entry] of this.entries) if (entry.occurredAt < before) this.entries.delete(key);
    for (const [id, endedAt] of this.revokedSessions) if (endedAt < before) this.revokedSessions.delete(id);
    // Past the horizon no cache holds the key any more: identity itself refuses it.
    for (const [id, revokedAt] of this.revokedApiKeys) if (revokedAt < before) this.revokedApiKeys.delete(id);
  }
}

function keyOf(organizationId: string, userId: string): string {
  return `${organizationId} ${userId}`;
}

function membershipChange(event: AnyEvent): { organizationId: string; userId: string; revoked: boolean } | null {
  if (!isMembershipEvent(event)) return null;
  switch (event.type) {
    case 'identity.organization.created':
      return { organizationId: event.payload.organizationId, userId: event.payload.creatorUserId, revoked: false };
    case 'identity.member.added':
    case 'identity.member.status_changed':
      return { organizationId: event.payload.organizationId, userId: event.payload.userId, revoked: event.payload.status !== 'active' };
    case 'identity.member.removed':
      return { organizationId: event.payload.organizationId, userId: event.payload.userId, revoked: true };
  }
}
