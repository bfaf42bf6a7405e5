/**
 * Every fact one subgraph tells the others, by type, with its payload. Adding a fact is
 * adding a line here: the outbox, the relay and every consumer are typed by it.
 */

/**
 * Why a sign-in session ended: signed out, a used refresh token presented again, idle or past
 * its lifetime at a refresh, ended by its own user (`by_user`, from another session) or by an
 * admin of the organization (`by_admin`), or with the membership (`member_suspended`, `member_removed`).
 */
export type SessionRevocationReason =
  'logout' | 'refresh_reuse' | 'idle' | 'expired' | 'by_user' | 'by_admin' | 'member_suspended' | 'member_removed';

/** A membership as identity keeps it; `removed` is said by its own event. */
/** Why a single sign-on was refused (identity's SSO routes). */
export type SsoLoginFailureReason =
  | 'provider_error'
  | 'invalid_state'
  | 'code_refused'
  | 'invalid_id_token'
  | 'missing_email'
  | 'unverified_email'
  | 'not_provisioned'
  | 'inactive_member'
  // SAML 2.0 only.
  | 'invalid_saml_response'
  | 'invalid_in_response_to'
  | 'invalid_signature'
  | 'expired_assertion'
  | 'wrong_audience'
  | 'wrong_recipient'
  | 'wrong_destination'
  | 'wrong_issuer'
  | 'replayed_assertion'
  // The second factor.
  | 'mfa_code_invalid';

/** What changed about a person's second factor. */
export type MfaChange = 'enabled' | 'disabled' | 'recovery_codes_regenerated' | 'recovery_code_used';

export type MembershipStatus = 'active' | 'suspended';

export interface MembershipFact {
  organizationId: string;
  userId: string;
  /** `mem_…`: identity's id of the membership. */
  membershipId: string;
}

export interface EventCatalogue {
  /** An organization was created; its creator is its first member. */
  'identity.organization.created': { organizationId: string; name: string; creatorUserId: string; creatorMembershipId: string };
  /** An owner or admin renamed the organization (`userId`). */
  'identity.organization.renamed': { organizationId: string; name: string; userId: string };
  /** Someone joined an organization: with the role of their invitation, or the member role when none is named. */
  'identity.member.added': MembershipFact & { status: MembershipStatus; roleId?: string };
  /** A membership ended; the person keeps their user account. */
  'identity.member.removed': MembershipFact;
  /** A membership was suspended or reactivated (also written once for every membership that existed before the outbox). */
  'identity.member.status_changed': MembershipFact & { status: MembershipStatus };
  /**
   * A sign-in session ended before its lifetime (sign-out, refresh token reuse, idle, expired,
   * revoked by its user or an admin, who is `revokedById`): its access tokens are refused.
   */
  'identity.session.revoked': {
    organizationId: string;
    userId: string;
    sessionId: string;
    reason: SessionRevocationReason;
    revokedById?: string;
  };
  /** An owner or admin set the organization's admin IP allowlist (`cidrs` empty: no restriction): every process reads it again. */
  'identity.admin_ip_allowlist.changed': { organizationId: string; userId: string; cidrs: string[] };
  /** A member created an API key (its secret is never in a fact). */
  'identity.api_key.created': {
    organizationId: string;
    userId: string;
    apiKeyId: string;
    name: string;
    permissions: string[] | null;
    expiresAt: string | null;
  };
  /** An API key was revoked: every process refuses it from its next request. */
  'identity.api_key.revoked': { organizationId: string; userId: string; apiKeyId: string; createdById: string };
  /** A revoked or expired API key was presented (at most once a minute per key and identity process). */
  'identity.api_key.used': { organizationId: string; apiKeyId: string; outcome: 'denied'; reason: 'revoked' | 'expired' };
  /** Someone signed in through an organization's identity provider: a session started (`provisioned`: their account or membership was made by it). */
  'identity.sso.login_succeeded': {
    organizationId: string;
    userId: string;
    ssoConfigId: string;
    providerType: 'saml' | 'oidc';
    sessionId: string;
    provisioned: boolean;
    /** The second factor the sign-in was completed with, when the organization or the person asked for one. */
    mfa?: 'totp' | 'recovery_code';
    /** The address the browser signed in from (absent when the sign-in was not told it). */
    ip?: string | null;
  };
  /** A sign-in through an organization's identity provider was refused; `subject` is the email the provider named, when it did. */
  'identity.sso.login_failed': {
    organizationId: string;
    ssoConfigId: string;
    providerType: 'saml' | 'oidc';
    reason: SsoLoginFailureReason;
    detail: string;
    subject: string | null;
    userId: string | null;
  };
  /** A person enabled or disabled their second factor (TOTP), made new recovery codes, or signed in with one. */
  'identity.mfa.changed': { organizationId: string; userId: string; change: MfaChange };
  /** A member's failed sign-ins reached the limit: their sign-ins to the organization are refused until `lockedUntil`. */
  'identity.user.locked_out': { organizationId: string; userId: string; failures: number; lockedUntil: string; ip: string | null };
  /** A lock-out ended: an admin ended it (`unlockedById`), or its time passed (`expired`, stated when next looked at). */
  'identity.user.unlocked': { organizationId: string; userId: string; reason: 'by_admin' | 'expired'; unlockedById: string | null };
  /** An organization subscribed to a plan (its first, or again after a cancellation). */
  'billing.subscription.created': BillingSubscriptionFact & { status: string; trialEnd: string | null };
  /** A plan change: an upgrade now (with the prorated difference charged), a downgrade at the period's end, or that downgrade applied. */
  'billing.subscription.plan_changed': BillingSubscriptionFact & {
    fromPlanCode: string;
    effective: 'now' | 'period_end';
    prorationCents: number;
    currency: string;
  };
  /** A cancellation: at the period's end (still live until then) or now. */
  'billing.subscription.canceled': BillingSubscriptionFact & { atPeriodEnd: boolean };
  /** An invoice was issued at the end of a billing period (and the next period started). */
  'billing.invoice.issued': {
    organizationId: string;
    subscriptionId: string;
    invoiceId: string;
    totalCents: number;
    currency: string;
    periodStart: string;
    periodEnd: string;
  };
  /** Stripe said an invoice was paid (its webhook). */
  'billing.invoice.paid': { organizationId: string; invoiceId: string };
  /** Stripe changed a subscription's status (its webhook): a failed payment, a recovery, a deletion. */
  'billing.subscription.status_changed': BillingSubscriptionFact & { status: string; stripeEventId: string };
  /** An organization used 80% or 100% of what its plan includes this billing period. */
  'billing.usage.threshold_reached': {
    organizationId: string;
    allowance: string;
    threshold: number;
    used: number;
    included: number;
    periodStart: string;
  };
  /**
   * Another subgraph metered something (analytics: a finished call's minutes), or the gateway
   * partner calls (`api_calls`, published straight to the transport: it has no outbox); billing
   * counts it once per `(organizationId, idempotencyKey)`. `metric` is one of billing's `UsageMetric` values.
   */
  'usage.reported': { organizationId: string; metric: string; quantity: number; occurredAt: string; idempotencyKey: string };
  /**
   * An owner or admin placed a legal hold on a person's data in an organization, or on the
   * whole organization's (`userId` null): nothing it covers may be deleted until it is released.
   */
  'compliance.legal_hold.placed': {
    organizationId: string;
    holdId: string;
    userId: string | null;
    placedById: string;
    reference: string | null;
  };
  /** A legal hold was released (others may still cover the same data). */
  'compliance.legal_hold.released': { organizationId: string; holdId: string; userId: string | null; releasedById: string };
  /**
   * A data-subject request changed status (received, in_progress, awaiting_approval, completed,
   * rejected), was extended, or waits for a legal hold (`held`). `actorId`: who did it; null: the job.
   */
  'compliance.request.updated': {
    organizationId: string;
    requestId: string;
    userId: string;
    type: string;
    status: string;
    held: boolean;
    actorId: string | null;
  };
  /**
   * Compliance asks the subgraph that owns a data category to apply the organization's
   * retention policy to it: what was recorded before `cutoff` goes (`delete`) or moves to the
   * owner's archive (`archive`), except what a legal hold covers (`heldUserIds`; a hold on the
   * whole organization is never asked). `dryRun`: count only. The owner answers `retention.applied`.
   */
  'compliance.retention.requested': {
    organizationId: string;
    runId: string;
    dryRun: boolean;
    categories: { category: RetentionCategory; action: RetentionAction; cutoff: string }[];
    heldUserIds: string[];
  };
  /**
   * What the owner of a category did with a retention request, written in the transaction that
   * did it: how many records went (or, in a dry run, would go) and how many a hold kept.
   */
  'retention.applied': {
    organizationId: string;
    runId: string;
    category: RetentionCategory;
    action: RetentionAction;
    dryRun: boolean;
    affected: number;
    held: number;
  };
  /**
   * Someone got a role in an organization, or an assignment's expiry changed (`previousExpiresAt`
   * set when it had the role already): by a member (`assignedById`), or by authz itself
   * (`assignedById` null) following a membership fact (`reason`).
   */
  'authz.role.assigned': RoleAssignmentFact & {
    expiresAt: string | null;
    /** Absent: they did not have the role; null: they had it without an expiry. */
    previousExpiresAt?: string | null;
    assignedById: string | null;
    reason: RoleAssignmentReason;
  };
  /**
   * A role was taken from someone: by a member (`unassignedById`), with their membership, with the
   * custom role's deletion, or on an access review's revoke request (`reviewId`, `entryId`).
   */
  'authz.role.unassigned': RoleAssignmentFact & {
    unassignedById: string | null;
    reason: RoleUnassignmentReason;
    reviewId?: string;
    entryId?: string;
  };
  /** An organization's own role was created, changed (`previous`: its name and permissions before) or deleted, by `actorId`. */
  'authz.role.created': CustomRoleFact;
  'authz.role.updated': CustomRoleFact & { previous: { name: string; permissions: string[] } };
  'authz.role.deleted': CustomRoleFact;
  /** A reviewer started an access review: a snapshot of every member's roles (`entries`: one per role a member holds). */
  'compliance.access_review.started': { organizationId: string; reviewId: string; startedById: string; entries: number };
  /** A reviewer decided one entry of an open review (it may be decided again until the review is completed). */
  'compliance.access_review.entry_decided': AccessReviewEntryFact & { decision: AccessReviewDecision; decidedById: string };
  /** A reviewer completed a review, every entry decided. */
  'compliance.access_review.completed': {
    organizationId: string;
    reviewId: string;
    completedById: string;
    kept: number;
    revokeRequested: number;
  };
  /** A completed review asks authz to take a role away (authz answers `authz.role.unassigned` with the review's ids). */
  'compliance.access_review.revoke_requested': AccessReviewEntryFact & { requestedById: string };
  /** A mutation's outcome, written by the platform after its resolver settled (platform/mutation-audit.ts), for the audit log. */
  'audit.mutation.recorded': MutationOutcomeFact;
}

/** What the mutation plugin says about one call of one mutation. */
export interface MutationOutcomeFact {
  organizationId: string;
  /** The person; with an API key, the member who created it. */
  userId: string;
  /** Set when the caller authenticated with an API key (`apikey_…`): the audit log names the key as the actor. */
  apiKeyId?: string;
  subgraph: string;
  /** The root field: `cancelSubscription`. */
  field: string;
  /** `success` only once the resolver returned; `denied` when access was refused; `failed` for any other error. */
  outcome: 'success' | 'denied' | 'failed';
  /** The error's code (`FORBIDDEN`, `BAD_USER_INPUT`, `INTERNAL`…), null on success. */
  errorCode: string | null;
  /** As sent, with secrets redacted (platform/redaction.ts). */
  arguments: Record<string, unknown>;
  requestId: string;
  /** The caller's address and user agent (facts written before they were recorded have neither). */
  ip?: string | null;
  userAgent?: string | null;
  /** When the resolver settled. */
  at: string;
}

/** Whose role an assignment fact is about. */
export interface RoleAssignmentFact {
  organizationId: string;
  userId: string;
  /** `role_owner`, `role_admin`, … or one of the organization's own. */
  roleId: string;
}

/**
 * Why a role was given: by a member, to an organization's creator, with an invitation when someone
 * joined, or `existing`: stated once, by a migration, for every assignment made before these facts.
 */
export type RoleAssignmentReason = 'assigned' | 'organization_created' | 'member_added' | 'existing';
/** Why a role was taken: by a member, with the membership, with the custom role, or on an access review. */
export type RoleUnassignmentReason = 'revoked' | 'member_removed' | 'role_deleted' | 'access_review';

/** One of an organization's own roles, as it is after the change (as it was, for a deletion). */
export interface CustomRoleFact {
  organizationId: string;
  roleId: string;
  name: string;
  permissions: string[];
  actorId: string;
}

/** What a reviewer decides about one role a member holds. */
export type AccessReviewDecision = 'kept' | 'revoke_requested';

/** One entry of an access review: a role a member held when it started. */
export interface AccessReviewEntryFact {
  organizationId: string;
  reviewId: string;
  entryId: string;
  userId: string;
  roleId: string;
}

/** The data categories a retention policy covers, each owned (and cleaned up) by one subgraph (platform/retention). */
export type RetentionCategory = 'audit_events' | 'call_records' | 'recordings' | 'usage' | 'sessions';
/** What happens to a record past its retention: deleted, or moved to its owner's archive. */
export type RetentionAction = 'delete' | 'archive';

/** The subscription a billing fact is about. */
export interface BillingSubscriptionFact {
  organizationId: string;
  subscriptionId: string;
  planCode: string;
}

export type EventType = keyof EventCatalogue;
export type EventPayload<T extends EventType> = EventCatalogue[T];

/** An event as it is published and consumed. */
export interface EventEnvelope<T extends EventType = EventType> {
  /** `evt_…`, unique: consumers apply an id at most once. */
  id: string;
  type: T;
  /** The subgraph whose outbox it came from. */
  source: string;
  /** Order of the source's outbox: a later change to the same thing has a higher number. */
  sequence: number;
  /** When the change committed (the outbox row's transaction). */
  occurredAt: Date;
  payload: EventPayload<T>;
}

/** Any event, narrowed by `switch (event.type)`. */
export type AnyEvent = { [T in EventType]: EventEnvelope<T> }[EventType];

/** What a service hands to the outbox. */
export type NewEvent = { [T in EventType]: { type: T; payload: EventPayload<T> } }[EventType];

/** The events that change whether someone may act in an organization. */
export const MEMBERSHIP_EVENT_TYPES = [
  'identity.organization.created',
  'identity.member.added',
  'identity.member.removed',
  'identity.member.status_changed',
] as const satisfies readonly EventType[];

/** An event of MEMBERSHIP_EVENT_TYPES. */
export type MembershipEvent = Extract<AnyEvent, { type: (typeof MEMBERSHIP_EVENT_TYPES)[number] }>;

export function isMembershipEvent(event: AnyEvent): event is MembershipEvent {
  return (MEMBERSHIP_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** Authz's consumer of membership events (roles and its membership projection). */
export const ROLE_PROVISIONING_CONSUMER = 'authz.memberships';
/** This process's membership revocations (platform/auth/membership-revocations.ts): its receipts stay in the process. */
export const LOCAL_REVOCATIONS = 'local.revocations';
/**
 * What a membership change waits for before it answers (read-your-writes): the roles in
 * place, and the member refused or let in by the process that answers.
 */
export const MEMBERSHIP_CHANGE_SETTLED_BY = [ROLE_PROVISIONING_CONSUMER, LOCAL_REVOCATIONS] as const;

/** Audit's consumer of every fact, for the audit log. */
export const AUDIT_TRAIL_CONSUMER = 'audit.trail';

/** Compliance's consumer of what the owners of each data category report after a retention request. */
export const RETENTION_REPORTS_CONSUMER = 'compliance.retention-reports';

/** Facts about role assignments, in the order of authz's outbox. */
export const ROLE_ASSIGNMENT_EVENT_TYPES = ['authz.role.assigned', 'authz.role.unassigned'] as const satisfies readonly EventType[];

/** Authz's consumer of access reviews' revoke requests. */
export const ACCESS_REVIEW_REVOCATIONS_CONSUMER = 'authz.access-review-revocations';

/** Billing's consumer of usage other subgraphs report. */
export const USAGE_CONSUMER = 'billing.usage';
