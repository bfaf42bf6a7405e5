import type { AnyEvent, EventEnvelope, EventType } from '../../../platform/outbox/event-catalogue';
import type { AuditEventInput, AuditTarget, Severity } from '../services/audit-event';

/** How one kind of fact reads in the audit log. */
interface FactMapping<T extends EventType> {
  action: string | ((event: EventEnvelope<T>) => string);
  severity: Severity | ((event: EventEnvelope<T>) => Severity);
  targets(event: EventEnvelope<T>): AuditTarget[];
  /** Who did it, when the fact says; otherwise the system (the subgraph that wrote it). */
  actor?(event: EventEnvelope<T>): { type: 'user' | 'api_key'; id: string } | null;
  outcome?(event: EventEnvelope<T>): 'success' | 'denied' | 'failed';
  /** The address the fact names (a sign-in's). */
  ip?(event: EventEnvelope<T>): string | null;
  /** What changed, `{ field: { old, new } }` (a role given or taken). */
  changes?(event: EventEnvelope<T>): Changes;
}

type Changes = Record<string, { old: unknown; new: unknown }>;

const organization = (id: string): AuditTarget => ({ type: 'organization', id });
const user = (id: string): AuditTarget => ({ type: 'user', id });
const subscription = (id: string): AuditTarget => ({ type: 'subscription', id });
const role = (id: string): AuditTarget => ({ type: 'role', id });
const review = (id: string): AuditTarget => ({ type: 'access_review', id });
const byUser = (id: string | null) => (id ? { type: 'user' as const, id } : null);
const PRIVILEGED_ROLES = ['role_owner', 'role_admin'];

/**
 * Every fact of the catalogue, as an audit event. Typed by `EventType`: a fact added to
 * platform/outbox/event-catalogue.ts without a line here fails the typecheck, so nothing
 * another subgraph says escapes the audit log.
 */
export const FACT_MAPPINGS: { [T in EventType]: FactMapping<T> } = {
  'identity.organization.created': {
    action: 'identity.organization.create',
    severity: 'info',
    targets: (e) => [organization(e.payload.organizationId)],
    actor: (e) => ({ type: 'user', id: e.payload.creatorUserId }),
  },
  'identity.organization.renamed': {
    action: 'identity.organization.rename',
    severity: 'info',
    targets: (e) => [organization(e.payload.organizationId)],
    actor: (e) => ({ type: 'user', id: e.payload.userId }),
  },
  'identity.member.added': {
    action: 'identity.member.add',
    severity: 'info',
    targets: (e) => [user(e.payload.userId), { type: 'membership', id: e.payload.membershipId }],
  },
  'identity.member.removed': {
    action: 'identity.member.remove',
    severity: 'warning',
    targets: (e) => [user(e.payload.userId), { type: 'membership', id: e.payload.membershipId }],
  },
  'identity.session.revoked': {
    action: (e) => `identity.session.revoke.${e.payload.reason}`,
    severity: (e) => (e.payload.reason === 'refresh_reuse' ? 'warning' : 'info'),
    targets: (e) => [user(e.payload.userId), { type: 'session', id: e.payload.sessionId }],
    actor: (e) => (e.payload.revokedById ? { type: 'user', id: e.payload.revokedById } : null),
  },
  'identity.admin_ip_allowlist.changed': {
    action: 'identity.admin_ip_allowlist.change',
    severity: 'warning',
    targets: (e) => [organization(e.payload.organizationId)],
    actor: (e) => ({ type: 'user', id: e.payload.userId }),
  },
  'identity.api_key.created': {
    action: 'identity.api_key.create',
    severity: 'info',
    targets: (e) => [{ type: 'api_key', id: e.payload.apiKeyId }, user(e.payload.userId)],
    actor: (e) => ({ type: 'user', id: e.payload.userId }),
  },
  // The action names the security rule `revoked_api_key_used` matches (services/security-rules.ts).
  'identity.api_key.revoked': {
    action: 'identity.api_key.revoked',
    severity: 'info',
    targets: (e) => [{ type: 'api_key', id: e.payload.apiKeyId }, user(e.payload.createdById)],
    actor: (e) => ({ type: 'user', id: e.payload.userId }),
  },
  'identity.api_key.used': {
    action: 'identity.api_key.used',
    severity: 'warning',
    targets: (e) => [{ type: 'api_key', id: e.payload.apiKeyId }],
    outcome: (e) => e.payload.outcome,
  },
  'identity.sso.login_succeeded': {
    action: 'identity.sso.login',
    severity: 'info',
    targets: (e) => [
      user(e.payload.userId),
      { type: 'session', id: e.payload.sessionId },
      { type: 'sso_config', id: e.payload.ssoConfigId },
    ],
    actor: (e) => ({ type: 'user', id: e.payload.userId }),
    outcome: () => 'success',
    ip: (e) => e.payload.ip ?? null,
  },
  'identity.sso.login_failed': {
    action: (e) => `identity.sso.login_failed.${e.payload.reason}`,
    severity: 'warning',
    targets: (e) => [{ type: 'sso_config', id: e.payload.ssoConfigId }, ...(e.payload.userId ? [user(e.payload.userId)] : [])],
    outcome: () => 'denied',
  },
  'identity.mfa.changed': {
    action: (e) => `identity.mfa.${e.payload.change}`,
    severity: (e) => (e.payload.change === 'disabled' || e.payload.change === 'recovery_code_used' ? 'warning' : 'info'),
    targets: (e) => [user(e.payload.userId)],
    actor: (e) => ({ type: 'user', id: e.payload.userId }),
  },
  'identity.user.locked_out': {
    action: 'identity.user.lock_out',
    severity: 'warning',
    targets: (e) => [user(e.payload.userId)],
    outcome: () => 'denied',
  },
  'identity.user.unlocked': {
    action: (e) => `identity.user.unlock.${e.payload.reason}`,
    severity: 'info',
    targets: (e) => [user(e.payload.userId)],
    actor: (e) => (e.payload.unlockedById ? { type: 'user', id: e.payload.unlockedById } : null),
  },
  'identity.member.status_changed': {
    action: (e) => (e.payload.status === 'suspended' ? 'identity.member.suspend' : 'identity.member.activate'),
    severity: (e) => (e.payload.status === 'suspended' ? 'warning' : 'info'),
    targets: (e) => [user(e.payload.userId), { type: 'membership', id: e.payload.membershipId }],
  },
  'billing.subscription.created': {
    action: 'billing.subscription.create',
    severity: 'info',
    targets: (e) => [subscription(e.payload.subscriptionId), organization(e.payload.organizationId)],
  },
  'billing.subscription.plan_changed': {
    action: 'billing.subscription.change_plan',
    severity: 'info',
    targets: (e) => [subscription(e.payload.subscriptionId), organization(e.payload.organizationId)],
  },
  'billing.subscription.canceled': {
    action: 'billing.subscription.cancel',
    severity: 'warning',
    targets: (e) => [subscription(e.payload.subscriptionId), organization(e.payload.organizationId)],
  },
  'billing.invoice.issued': {
    action: 'billing.invoice.issue',
    severity: 'info',
    targets: (e) => [{ type: 'invoice', id: e.payload.invoiceId }, subscription(e.payload.subscriptionId)],
  },
  'billing.invoice.paid': {
    action: 'billing.invoice.pay',
    severity: 'info',
    targets: (e) => [{ type: 'invoice', id: e.payload.invoiceId }],
  },
  'billing.subscription.status_changed': {
    action: 'billing.subscription.change_status',
    severity: (e) => (e.payload.status === 'past_due' || e.payload.status === 'canceled' ? 'warning' : 'info'),
    targets: (e) => [subscription(e.payload.subscriptionId), organization(e.payload.organizationId)],
  },
  'billing.usage.threshold_reached': {
    action: 'billing.usage.reach_threshold',
    severity: (e) => (e.payload.threshold >= 100 ? 'warning' : 'info'),
    targets: (e) => [organization(e.payload.organizationId)],
  },
  'usage.reported': {
    action: 'billing.usage.report',
    severity: 'info',
    targets: (e) => [organization(e.payload.organizationId)],
  },
  'compliance.legal_hold.placed': {
    action: 'compliance.legal_hold.place',
    severity: 'warning',
    targets: (e) => [
      { type: 'legal_hold', id: e.payload.holdId },
      e.payload.userId ? user(e.payload.userId) : organization(e.payload.organizationId),
    ],
    actor: (e) => ({ type: 'user', id: e.payload.placedById }),
  },
  'compliance.legal_hold.released': {
    action: 'compliance.legal_hold.release',
    severity: 'warning',
    targets: (e) => [
      { type: 'legal_hold', id: e.payload.holdId },
      e.payload.userId ? user(e.payload.userId) : organization(e.payload.organizationId),
    ],
    actor: (e) => ({ type: 'user', id: e.payload.releasedById }),
  },
  'compliance.request.updated': {
    action: (e) => `compliance.request.${e.payload.type}.${e.payload.held ? 'held' : e.payload.status}`,
    severity: (e) => (e.payload.type === 'deletion' ? 'warning' : 'info'),
    targets: (e) => [{ type: 'data_subject_request', id: e.payload.requestId }, user(e.payload.userId)],
    actor: (e) => (e.payload.actorId ? { type: 'user', id: e.payload.actorId } : null),
  },
  'compliance.retention.requested': {
    action: (e) => (e.payload.dryRun ? 'compliance.retention.dry_run' : 'compliance.retention.request'),
    severity: (e) => (e.payload.dryRun ? 'info' : 'warning'),
    targets: (e) => [{ type: 'retention_run', id: e.payload.runId }, organization(e.payload.organizationId)],
  },
  'retention.applied': {
    action: (e) => `${e.source}.retention.${e.payload.dryRun ? 'count' : e.payload.action}`,
    severity: (e) => (e.payload.dryRun || e.payload.affected === 0 ? 'info' : 'warning'),
    targets: (e) => [{ type: 'retention_run', id: e.payload.runId }, organization(e.payload.organizationId)],
  },
  'authz.role.assigned': {
    action: (e) => (e.payload.previousExpiresAt === undefined ? 'authz.role.assign' : 'authz.role.change_expiry'),
    severity: (e) => (PRIVILEGED_ROLES.includes(e.payload.roleId) ? 'warning' : 'info'),
    targets: (e) => [user(e.payload.userId), role(e.payload.roleId)],
    actor: (e) => byUser(e.payload.assignedById),
    changes: (e): Changes =>
      e.payload.previousExpiresAt === undefined
        ? { role: { old: null, new: e.payload.roleId }, expiresAt: { old: null, new: e.payload.expiresAt } }
        : { expiresAt: { old: e.payload.previousExpiresAt, new: e.payload.expiresAt } },
  },
  'authz.role.unassigned': {
    action: (e) => `authz.role.unassign.${e.payload.reason}`,
    severity: (e) => (PRIVILEGED_ROLES.includes(e.payload.roleId) || e.payload.reason === 'access_review' ? 'warning' : 'info'),
    targets: (e) => [user(e.payload.userId), role(e.payload.roleId), ...(e.payload.reviewId ? [review(e.payload.reviewId)] : [])],
    actor: (e) => byUser(e.payload.unassignedById),
    changes: (e) => ({ role: { old: e.payload.roleId, new: null } }),
  },
  'authz.role.created': {
    action: 'authz.role.create',
    severity: 'info',
    targets: (e) => [role(e.payload.roleId)],
    actor: (e) => byUser(e.payload.actorId),
    changes: (e) => ({ name: { old: null, new: e.payload.name }, permissions: { old: null, new: e.payload.permissions } }),
  },
  'authz.role.updated': {
    action: 'authz.role.update',
    severity: 'warning',
    targets: (e) => [role(e.payload.roleId)],
    actor: (e) => byUser(e.payload.actorId),
    changes: (e) => ({
      name: { old: e.payload.previous.name, new: e.payload.name },
      permissions: { old: e.payload.previous.permissions, new: e.payload.permissions },
    }),
  },
  'authz.role.deleted': {
    action: 'authz.role.delete',
    severity: 'warning',
    targets: (e) => [role(e.payload.roleId)],
    actor: (e) => byUser(e.payload.actorId),
    changes: (e) => ({ name: { old: e.payload.name, new: null }, permissions: { old: e.payload.permissions, new: null } }),
  },
  'compliance.access_review.started': {
    action: 'compliance.access_review.start',
    severity: 'info',
    targets: (e) => [review(e.payload.reviewId), organization(e.payload.organizationId)],
    actor: (e) => byUser(e.payload.startedById),
  },
  'compliance.access_review.entry_decided': {
    action: (e) => `compliance.access_review.${e.payload.decision === 'kept' ? 'keep' : 'request_revoke'}`,
    severity: (e) => (e.payload.decision === 'kept' ? 'info' : 'warning'),
    targets: (e) => [review(e.payload.reviewId), user(e.payload.userId), role(e.payload.roleId)],
    actor: (e) => byUser(e.payload.decidedById),
  },
  'compliance.access_review.completed': {
    action: 'compliance.access_review.complete',
    severity: 'info',
    targets: (e) => [review(e.payload.reviewId), organization(e.payload.organizationId)],
    actor: (e) => byUser(e.payload.completedById),
  },
  'compliance.access_review.revoke_requested': {
    action: 'compliance.access_review.revoke',
    severity: 'warning',
    targets: (e) => [review(e.payload.reviewId), user(e.payload.userId), role(e.payload.roleId)],
    actor: (e) => byUser(e.payload.requestedById),
    changes: (e) => ({ role: { old: e.payload.roleId, new: null } }),
  },
  'audit.mutation.recorded': {
    action: (e) => `${e.payload.subgraph}.mutation.${e.payload.field}`,
    severity: (e) => (e.payload.outcome === 'success' ? 'info' : e.payload.outcome === 'denied' ? 'warning' : 'error'),
    targets: (e) => [organization(e.payload.organizationId)],
    actor: (e) => (e.payload.apiKeyId ? { type: 'api_key', id: e.payload.apiKeyId } : { type: 'user', id: e.payload.userId }),
    outcome: (e) => e.payload.outcome,
  },
};

/** The audit id of a fact: its event id's ULID behind `aud_`, so a fact delivered twice is one audit event. */
export function auditIdOf(eventId: string): string {
  return `aud_${eventId.replace(/^evt_/, '').replace(/[^0-9A-Za-z_]/g, '')}`;
}

/** The fact as an audit event of the organization it concerns. */
export function auditEventOf(event: AnyEvent): AuditEventInput {
  const mapping = FACT_MAPPINGS[event.type] as FactMapping<EventType>;
  const resolve = <V>(value: V | ((e: EventEnvelope<EventType>) => V)) =>
    typeof value === 'function' ? (value as (e: EventEnvelope<EventType>) => V)(event) : value;
  const actor = mapping.actor?.(event);
  const payload = event.payload as { organizationId: string } & Record<string, unknown>;
  const mutation = event.type === 'audit.mutation.recorded' ? event.payload : null;
  return {
    id: auditIdOf(event.id),
    organizationId: payload.organizationId,
    actor: actor ? { ...actor, displayName: null } : { type: 'system', id: event.source, displayName: null },
    action: resolve(mapping.action),
    severity: resolve(mapping.severity),
    outcome: mapping.outcome?.(event) ?? 'success',
    targets: mapping.targets(event),
    requestId: mutation?.requestId ?? null,
    ip: mutation?.ip ?? mapping.ip?.(event) ?? null,
    userAgent: mutation?.userAgent ?? null,
    request: mutation ? { arguments: mutation.arguments } : null,
    response: mutation?.errorCode ? { errorCode: mutation.errorCode } : null,
    changes: mapping.changes?.(event) ?? null,
    metadata: mutation
      ? { subgraph: mutation.subgraph, field: mutation.field }
      : { type: event.type, payload: event.payload as unknown as Record<string, unknown> },
    source: event.source,
    occurredAt: mutation ? new Date(mutation.at) : new Date(event.occurredAt),
  };
}
