import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

export const ACTOR_TYPES = ['user', 'api_key', 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];
export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const OUTCOMES = ['success', 'denied', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The hash before an organization's first event. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditActor {
  type: ActorType;
  id: string | null;
  displayName: string | null;
}

export interface AuditTarget {
  /** `user`, `organization`, `role`, `subscription`, `invoice`, `api_key`, … */
  type: string;
  id: string;
}

/** An event as a writer hands it in (GraphQL ingest, the outbox facts, the decision stream, the mutation plugin). */
export interface AuditEventInput {
  /** `aud_…`; the same id again is recorded once. Absent: one is assigned. */
  id?: string;
  organizationId: string;
  actor: { type: ActorType; id?: string | null; displayName?: string | null };
  /** `resource.verb`, such as `billing.subscription.cancel`. */
  action: string;
  severity: Severity;
  outcome: Outcome;
  targets: AuditTarget[];
  requestId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  request?: Record<string, unknown> | null;
  response?: Record<string, unknown> | null;
  /** `{ field: { old, new } }`, secrets redacted. */
  changes?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | null;
  /** Who wrote it: `api`, a subgraph's outbox (`billing`), `authz.decisions`, `mutations.<subgraph>`. */
  source: string;
  occurredAt: Date;
}

/** An event as stored: its place in its organization's chain. */
export interface AuditEvent extends Required<Omit<AuditEventInput, 'id' | 'actor'>> {
  id: string;
  actor: AuditActor;
  sequence: number;
  recordedAt: Date;
  previousHash: string;
  hash: string;
  /**
   * The random salt of the personal part's digest (base64), for events whose hash covers the
   * personal part only through that digest; null for events hashed whole (recorded before
   * that) and for anonymised ones.
   */
  personalSalt: string | null;
  /** An anonymised event's digest of the personal part it had (hex), which its hash covers; null otherwise. */
  personalDigest: string | null;
}

/** The fields that say who acted and what they sent: what anonymising an event removes. */
export function personalContent(event: Pick<AuditEvent, 'actor' | 'ip' | 'userAgent' | 'request' | 'response' | 'changes'>): string {
  return canonicalJson({
    actorId: event.actor.id,
    actorName: event.actor.displayName,
    ip: event.ip,
    userAgent: event.userAgent,
    request: event.request,
    response: event.response,
    changes: event.changes,
  });
}

/**
 * SHA-256 over the salt and the personal part. The salt is random per event and goes with
 * the personal part when the event is anonymised, so the digest that stays confirms no guess
 * about who it was (GDPR recital 26).
 */
export function personalDigestOf(event: Omit<AuditEvent, 'hash'>): string {
  if (event.personalDigest) return event.personalDigest;
  return createHash('sha256')
    .update(event.personalSalt ?? '')
    .update(personalContent(event))
    .digest('hex');
}

/** Whether the event's hash covers its personal part through the salted digest, so it can be anonymised with its chain intact. */
export function isAnonymisable(event: Pick<AuditEvent, 'personalSalt' | 'personalDigest'>): boolean {
  return event.personalSalt !== null || event.personalDigest !== null;
}

/**
 * What the hash covers: every field but the hash itself, in RFC 8785 canonical form. An event
 * with a salted personal digest has, in place of its actor's id and name, address, user agent,
 * request, response and changes, that digest: the chain then verifies the same once they are
 * removed (GDPR Art. 17 against an append-only log).
 */
export function hashedContent(event: Omit<AuditEvent, 'hash'>): string {
  if (isAnonymisable(event)) {
    return canonicalJson({
      id: event.id,
      organizationId: event.organizationId,
      sequence: event.sequence,
      actorType: event.actor.type,
      personal: personalDigestOf(event),
      action: event.action,
      severity: event.severity,
      outcome: event.outcome,
      targets: event.targets,
      requestId: event.requestId,
      metadata: event.metadata,
      source: event.source,
      occurredAt: event.occurredAt.toISOString(),
      recordedAt: event.recordedAt.toISOString(),
    });
  }
  return canonicalJson({
    id: event.id,
    organizationId: event.organizationId,
    sequence: event.sequence,
    actor: event.actor,
    action: event.action,
    severity: event.severity,
    outcome: event.outcome,
    targets: event.targets,
    requestId: event.requestId,
    ip: event.ip,
    userAgent: event.userAgent,
    request: event.request,
    response: event.response,
    changes: event.changes,
    metadata: event.metadata,
    source: event.source,
    occurredAt: event.occurredAt.toISOString(),
    recordedAt: event.recordedAt.toISOString(),
  });
}

/** SHA-256 over the previous event's hash (hex) followed by this event's canonical JSON. */
export function chainHash(event: Omit<AuditEvent, 'hash'>): string {
  return createHash('sha256').update(event.previousHash).update(hashedContent(event)).digest('hex');
}

/** The columns of `audit.events` and `audit.archived_events`, in the order `fromRow` reads them. */
export const EVENT_COLUMNS =
  'id, organization_id, sequence, actor_type, actor_id, actor_name, action, severity, outcome, targets, request_id, ip, user_agent, request, response, changes, metadata, source, occurred_at, recorded_at, previous_hash, hash, personal_salt, personal_digest';

export interface EventRow {
  id: string;
  organization_id: string;
  sequence: string;
  actor_type: ActorType;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  severity: Severity;
  outcome: Outcome;
  targets: AuditTarget[];
  request_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request: Record<string, unknown> | null;
  response: Record<string, unknown> | null;
  changes: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  source: string;
  occurred_at: Date;
  recorded_at: Date;
  previous_hash: string;
  hash: string;
  personal_salt: string | null;
  personal_digest: string | null;
}

export function fromRow(row: EventRow): AuditEvent {
  return {
    id: row.id,
    organizationId: row.organization_id,
    sequence: Number(row.sequence),
    actor: { type: row.actor_type, id: row.actor_id, displayName: row.actor_name },
    action: row.action,
    severity: row.severity,
    outcome: row.outcome,
    targets: row.targets,
    requestId: row.request_id,
    ip: row.ip,
    userAgent: row.user_agent,
    request: row.request,
    response: row.response,
    changes: row.changes,
    metadata: row.metadata,
    source: row.source,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    previousHash: row.previous_hash,
    hash: row.hash,
    personalSalt: row.personal_salt,
    personalDigest: row.personal_digest,
  };
}
