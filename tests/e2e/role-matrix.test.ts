import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { Secret, TOTP } from 'otpauth';
import { API_SCHEMA_PATH } from '../../gateway/schema-paths';
import { SYSTEM_ROLES } from '../../platform/authorization/system-roles';
import { expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import type { Exchange } from '../kit/client';
import { uniqueEmail } from '../kit/seed';
import { connect } from '../kit/subscriptions';
import type { SeededMember, SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';
import { createLogger } from '../../platform/logger';
import type { JobRunner } from '../../platform/jobs/runner';
import { startWorker } from '../../runtime/jobs';

/**
 * Every system role × every root field of the supergraph × own organization and a foreign
 * one. The table below is the role table of the product, written out by hand: it is the
 * specification the running system is held to, not derived from the code under test.
 */
type RoleName = 'owner' | 'admin' | 'billing_manager' | 'member' | 'guest';
const ALL: RoleName[] = ['owner', 'admin', 'billing_manager', 'member', 'guest'];
const MANAGERS: RoleName[] = ['owner', 'admin'];
/** `billing:read` and `billing:*` (the billing manager's). */
const BILLING_READERS: RoleName[] = ['owner', 'admin', 'billing_manager'];
const BILLING_WRITERS: RoleName[] = ['owner', 'billing_manager'];
/** `audit:read`, `audit:export`, `audit:update`: the admin's and (through `*:*`) the owner's. */
const AUDITORS: RoleName[] = ['owner', 'admin'];
/** `jobs:read`: the admin's and the owner's. */
const JOB_READERS: RoleName[] = ['owner', 'admin'];
/** `compliance:read` (everyone's consent): the admin's (`compliance:*`) and the owner's; every role reads and records its own (`consent:*`). */
const COMPLIANCE_READERS: RoleName[] = ['owner', 'admin'];
/** `compliance:manage` (legal holds, consent recorded for someone, access reviews): the admin's and the owner's. */
const COMPLIANCE_MANAGERS: RoleName[] = ['owner', 'admin'];

interface Fixture {
  organization: SeededOrganization;
  actor: SeededMember;
  /** Members a mutation may act on, one per mutation, so cases do not disturb each other. */
  targets: SeededMember[];
  customRoles: string[];
  /** Pending invitations to new addresses, one per case that answers or revokes one. */
  invitations: { accept: string; decline: string; revoke: string };
  /** The organization's subscription and an invoice issued to it. */
  billing: { subscriptionId: string; invoiceId: string };
  /** An audit event of the organization, and a security event its denials opened. */
  audit: { eventId: string; securityEventId: string; sinkId: string };
  /** A cost insight of the organization. */
  insightId: string;
  /** A background job run of the organization. */
  jobRunId: string;
  /** Two saved reports (one to delete), a run of the first. */
  reportId: string;
  spareReportId: string;
  reportRunId: string;
  /** An API key of the organization, for the case that revokes it. */
  apiKeyId: string;
  /** An active legal hold on the organization, for the case that releases it. */
  legalHoldId: string;
  /** Two open access reviews: one with an undecided entry (to decide), one with every entry decided (to complete). */
  accessReviews: { decideEntryId: string; completeId: string };
  /** Data-subject requests: the actor's own to read, and a target's rectifications awaiting approval to approve, reject and extend. */
  complianceRequests: { read: string; approve: string; reject: string; extend: string };
  /** A dry run of the organization's retention policies. */
  retentionRunId: string;
  /** A sign-in session of the actor (for a foreign fixture, of its owner), for the case that ends it. */
  sessionId: string;
  /** Two SSO configurations of the organization (one to delete). */
  ssoConfigId: string;
  spareSsoConfigId: string;
  /** The TOTP secret of the actor's MFA enrolment, begun for the cases that confirm, use and disable it. */
  mfaSecret: string;
}

/** The code of the actor's authenticator app `steps` 30-second steps from now: each MFA case presents a later step than the one before. */
const mfaCode = (f: Fixture, steps: number) =>
  new TOTP({ secret: Secret.fromBase32(f.mfaSecret) }).generate({ timestamp: Date.now() + steps * 30_000 });

interface Case {
  field: string;
  /** `service`: the data-subject contract, answered to compliance's service token only, so refused to every role. */
  allowed: RoleName[] | 'public' | 'service';
  own: (own: Fixture) => [query: string, variables?: Record<string, unknown>];
  /** Aimed at the foreign organization with the caller's own token; absent when the field names no organization's data. */
  foreign?: (foreign: Fixture) => [query: string, variables?: Record<string, unknown>];
  /** For a foreign call that may succeed (it answers about the caller's own organization): what must hold of its data. */
  foreignData?: (data: Record<string, unknown>, foreign: Fixture) => void;
}

const CASES: Case[] = [
  { field: 'Query.health', allowed: 'public', own: () => ['{ health { identity { status } } }'] },
  { field: 'Query.plans', allowed: 'public', own: () => ['{ plans { code } }'] },
  {
    field: 'Query.organization',
    allowed: ALL,
    own: (f) => ['query($id: ID!) { organization(id: $id) { id name } }', { id: f.organization.organization.id }],
    foreign: (f) => ['query($id: ID!) { organization(id: $id) { id name } }', { id: f.organization.organization.id }],
  },
  { field: 'Query.organizations', allowed: ALL, own: () => ['{ organizations { id } }'] },
  { field: 'Query.me', allowed: ALL, own: () => ['{ me { id email } }'] },
  { field: 'Query.roles', allowed: ALL, own: () => ['{ roles { id } }'] },
  {
    field: 'Query.role',
    allowed: ALL,
    own: (f) => ['query($id: ID!) { role(id: $id) { id } }', { id: f.customRoles[0] }],
    foreign: (f) => ['query($id: ID!) { role(id: $id) { id } }', { id: f.customRoles[0] }],
  },
  {
    field: 'Query.userPermissions',
    allowed: MANAGERS,
    own: (f) => ['query($u: ID!) { userPermissions(userId: $u) }', { u: f.targets[0]!.user.id }],
    foreign: (f) => ['query($u: ID!) { userPermissions(userId: $u) }', { u: f.organization.owner.user.id }],
    // Asked about a foreign owner, the answer is about the caller's organization, where they hold nothing.
    foreignData: (data) => expect(data.userPermissions).toEqual([]),
  },
  { field: 'Query.myPermissions', allowed: ALL, own: () => ['{ myPermissions }'] },
  {
    field: 'Query.checkPermission',
    allowed: MANAGERS,
    own: (f) => [
      'query($u: ID!, $o: ID) { checkPermission(userId: $u, resource: "members", action: "read", organizationId: $o) { allowed } }',
      { u: f.targets[0]!.user.id, o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'query($u: ID!, $o: ID) { checkPermission(userId: $u, resource: "members", action: "read", organizationId: $o) { allowed } }',
      { u: f.organization.owner.user.id, o: f.organization.organization.id },
    ],
  },
  {
    field: 'Query.explainPermission',
    allowed: MANAGERS,
    own: (f) => [
      'query($u: ID!) { explainPermission(userId: $u, resource: "members", action: "read") { allowed } }',
      { u: f.targets[0]!.user.id },
    ],
    foreign: (f) => [
      'query($u: ID!) { explainPermission(userId: $u, resource: "members", action: "read") { allowed policyLines } }',
      { u: f.organization.owner.user.id },
    ],
    foreignData: (data) => expect(data.explainPermission).toEqual({ allowed: false, policyLines: [] }),
  },
  { field: 'Query.whoCan', allowed: MANAGERS, own: () => ['{ whoCan(resource: "billing", action: "read") { id } }'] },
  {
    field: 'Query.billingSubscription',
    allowed: BILLING_READERS,
    own: (f) => ['query($id: ID!) { billingSubscription(id: $id) { id } }', { id: f.billing.subscriptionId }],
    foreign: (f) => ['query($id: ID!) { billingSubscription(id: $id) { id } }', { id: f.billing.subscriptionId }],
  },
  {
    field: 'Query.organizationSubscription',
    allowed: BILLING_READERS,
    own: (f) => ['query($o: ID!) { organizationSubscription(organizationId: $o) { id } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { organizationSubscription(organizationId: $o) { id } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.usageSummary',
    allowed: BILLING_READERS,
    own: (f) => ['query($o: ID!) { usageSummary(organizationId: $o) { overageCents } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { usageSummary(organizationId: $o) { overageCents } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.invoices',
    allowed: BILLING_READERS,
    own: (f) => ['query($o: ID!) { invoices(organizationId: $o, first: 5) { id } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { invoices(organizationId: $o) { id } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.invoice',
    allowed: BILLING_READERS,
    own: (f) => ['query($id: ID!) { invoice(id: $id) { id totalCents } }', { id: f.billing.invoiceId }],
    foreign: (f) => ['query($id: ID!) { invoice(id: $id) { id totalCents } }', { id: f.billing.invoiceId }],
  },
  {
    field: 'Query.invoicePreview',
    allowed: BILLING_READERS,
    own: (f) => ['query($o: ID!) { invoicePreview(organizationId: $o) { totalCents } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { invoicePreview(organizationId: $o) { totalCents } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Mutation.recordUsage',
    allowed: BILLING_WRITERS,
    own: (f) => [
      `mutation($o: ID!, $k: String!) { recordUsage(input: { organizationId: $o, metric: CALL_MINUTES, quantity: 1, occurredAt: "2026-01-01T00:00:00Z", idempotencyKey: $k }) { counted } }`,
      { o: f.organization.organization.id, k: 'matrix-1' },
    ],
    foreign: (f) => [
      `mutation($o: ID!, $k: String!) { recordUsage(input: { organizationId: $o, metric: CALL_MINUTES, quantity: 1, occurredAt: "2026-01-01T00:00:00Z", idempotencyKey: $k }) { counted } }`,
      { o: f.organization.organization.id, k: 'matrix-x' },
    ],
  },
  {
    field: 'Mutation.recordUsageBatch',
    allowed: BILLING_WRITERS,
    own: (f) => [
      `mutation($o: ID!, $k: String!) { recordUsageBatch(input: [{ organizationId: $o, metric: CALL_MINUTES, quantity: 1, occurredAt: "2026-01-01T00:00:00Z", idempotencyKey: $k }]) { counted } }`,
      { o: f.organization.organization.id, k: 'matrix-2' },
    ],
    foreign: (f) => [
      `mutation($o: ID!, $k: String!) { recordUsageBatch(input: [{ organizationId: $o, metric: CALL_MINUTES, quantity: 1, occurredAt: "2026-01-01T00:00:00Z", idempotencyKey: $k }]) { counted } }`,
      { o: f.organization.organization.id, k: 'matrix-y' },
    ],
  },
  {
    field: 'Mutation.changeSubscriptionPlan',
    allowed: BILLING_WRITERS,
    own: (f) => ['mutation($id: ID!) { changeSubscriptionPlan(id: $id, planCode: PRO) { effective } }', { id: f.billing.subscriptionId }],
    foreign: (f) => [
      'mutation($id: ID!) { changeSubscriptionPlan(id: $id, planCode: ENTERPRISE) { effective } }',
      { id: f.billing.subscriptionId },
    ],
  },
  {
    field: 'Mutation.cancelSubscription',
    allowed: BILLING_WRITERS,
    own: (f) => ['mutation($id: ID!) { cancelSubscription(id: $id, atPeriodEnd: false) { status } }', { id: f.billing.subscriptionId }],
    foreign: (f) => ['mutation($id: ID!) { cancelSubscription(id: $id, atPeriodEnd: false) { status } }', { id: f.billing.subscriptionId }],
  },
  {
    field: 'Mutation.createSubscription',
    allowed: BILLING_WRITERS,
    own: (f) => [
      'mutation($o: ID!) { createSubscription(input: { organizationId: $o, planCode: PRO, trialDays: 7 }) { status } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!) { createSubscription(input: { organizationId: $o, planCode: PRO }) { status } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Subscription.usageAlerts',
    allowed: BILLING_READERS,
    own: (f) => ['subscription($o: ID!) { usageAlerts(organizationId: $o) { threshold } }', { o: f.organization.organization.id }],
    foreign: (f) => ['subscription($o: ID!) { usageAlerts(organizationId: $o) { threshold } }', { o: f.organization.organization.id }],
  },
  { field: 'Query.liveMetrics', allowed: ['owner', 'admin', 'billing_manager', 'member'], own: () => ['{ liveMetrics { activeCalls } }'] },
  {
    field: 'Mutation.reportLiveMetrics',
    allowed: MANAGERS,
    own: () => ['mutation { reportLiveMetrics(input: { activeCalls: 3 }) { activeCalls } }'],
  },
  {
    field: 'Subscription.realtimeMetrics',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: (f) => ['subscription($o: ID!) { realtimeMetrics(organizationId: $o) { activeCalls } }', { o: f.organization.organization.id }],
    foreign: (f) => [
      'subscription($o: ID!) { realtimeMetrics(organizationId: $o) { activeCalls } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.startCall',
    allowed: MANAGERS,
    own: () => ['mutation { startCall(input: { callId: "matrix-call", participants: ["user_x"], codec: "opus" }) { callId } }'],
  },
  {
    field: 'Mutation.endCall',
    allowed: MANAGERS,
    own: () => [
      'mutation { endCall(input: { callId: "matrix-call", rttMs: 50, jitterMs: 3, packetLossPercent: 0.1 }) { quality { mos } } }',
    ],
  },
  {
    field: 'Query.apiKeys',
    allowed: MANAGERS,
    own: (f) => ['query($o: ID!) { apiKeys(organizationId: $o) { id prefix } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { apiKeys(organizationId: $o) { id } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Mutation.createApiKey',
    allowed: MANAGERS,
    own: () => ['mutation { createApiKey(input: { name: "Matrix" }) { apiKey { id } secret } }'],
  },
  {
    field: 'Mutation.updateApiKeyLimits',
    allowed: MANAGERS,
    own: (f) => [
      'mutation($id: ID!) { updateApiKeyLimits(input: { id: $id, requestsPerWindow: 100 }) { id requestsPerWindow } }',
      { id: f.apiKeyId },
    ],
    foreign: (f) => ['mutation($id: ID!) { updateApiKeyLimits(input: { id: $id, requestsPerWindow: 100 }) { id } }', { id: f.apiKeyId }],
  },
  {
    field: 'Mutation.revokeApiKey',
    allowed: MANAGERS,
    own: (f) => ['mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }', { id: f.apiKeyId }],
    foreign: (f) => ['mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: f.apiKeyId }],
  },
  { field: 'Query.mySessions', allowed: ALL, own: () => ['{ mySessions { id current } }'] },
  {
    field: 'Query.memberSessions',
    allowed: MANAGERS,
    own: (f) => ['query($u: ID!) { memberSessions(userId: $u) { id ip } }', { u: f.targets[0]!.user.id }],
    foreign: (f) => ['query($u: ID!) { memberSessions(userId: $u) { id ip } }', { u: f.organization.owner.user.id }],
  },
  {
    field: 'Mutation.revokeSession',
    allowed: ALL,
    own: (f) => ['mutation($id: ID!) { revokeSession(id: $id) { id revokedAt } }', { id: f.sessionId }],
    foreign: (f) => ['mutation($id: ID!) { revokeSession(id: $id) { id } }', { id: f.sessionId }],
  },
  {
    field: 'Mutation.updateSessionPolicy',
    allowed: MANAGERS,
    own: (f) => [
      'mutation($o: ID!) { updateSessionPolicy(organizationId: $o, input: { idleTimeoutMinutes: 720 }) { idleTimeoutMinutes } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!) { updateSessionPolicy(organizationId: $o, input: { absoluteLifetimeMinutes: 60 }) { absoluteLifetimeMinutes } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.setAdminIpAllowlist',
    allowed: MANAGERS,
    own: (f) => ['mutation($o: ID!) { setAdminIpAllowlist(organizationId: $o, cidrs: []) }', { o: f.organization.organization.id }],
    foreign: (f) => [
      'mutation($o: ID!) { setAdminIpAllowlist(organizationId: $o, cidrs: ["192.0.2.0/24"], confirmLockout: true) }',
      { o: f.organization.organization.id },
    ],
  },
  // The actor's token belongs to no session, so keepCurrent: false ends only their others.
  { field: 'Mutation.revokeAllSessions', allowed: ALL, own: () => ['mutation { revokeAllSessions(keepCurrent: false) }'] },
  // One's own second factor: begun by the fixture, then confirmed, used and turned off in this order.
  { field: 'Query.myMfa', allowed: ALL, own: () => ['{ myMfa { enabled recoveryCodesLeft } }'] },
  { field: 'Mutation.beginMfaEnrollment', allowed: ALL, own: () => ['mutation { beginMfaEnrollment { otpauthUri } }'] },
  {
    field: 'Mutation.confirmMfaEnrollment',
    allowed: ALL,
    own: (f) => ['mutation($c: String!) { confirmMfaEnrollment(mfaCode: $c) }', { c: mfaCode(f, -1) }],
  },
  {
    field: 'Mutation.regenerateMfaRecoveryCodes',
    allowed: ALL,
    own: (f) => ['mutation($c: String!) { regenerateMfaRecoveryCodes(mfaCode: $c) }', { c: mfaCode(f, 0) }],
  },
  {
    field: 'Mutation.disableMfa',
    allowed: ALL,
    own: (f) => ['mutation($c: String) { disableMfa(mfaCode: $c) { enabled } }', { c: mfaCode(f, 1) }],
  },
  {
    field: 'Mutation.setMfaRequirement',
    allowed: MANAGERS,
    own: (f) => ['mutation($o: ID!) { setMfaRequirement(organizationId: $o, requirement: NONE) }', { o: f.organization.organization.id }],
    foreign: (f) => [
      'mutation($o: ID!) { setMfaRequirement(organizationId: $o, requirement: EVERYONE) }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.unlockUser',
    allowed: MANAGERS,
    own: (f) => ['mutation($u: ID!) { unlockUser(userId: $u) }', { u: f.organization.owner.user.id }],
    foreign: (f) => ['mutation($u: ID!) { unlockUser(userId: $u) }', { u: f.organization.owner.user.id }],
  },
  {
    field: 'Query.ssoConfigs',
    allowed: MANAGERS,
    own: (f) => ['query($o: ID!) { ssoConfigs(organizationId: $o) { id providerType } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { ssoConfigs(organizationId: $o) { id oidcClientId } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.ssoConfig',
    allowed: MANAGERS,
    own: (f) => ['query($id: ID!) { ssoConfig(id: $id) { id clientSecretSet } }', { id: f.ssoConfigId }],
    foreign: (f) => ['query($id: ID!) { ssoConfig(id: $id) { id oidcClientId } }', { id: f.ssoConfigId }],
  },
  {
    field: 'Mutation.createSsoConfig',
    allowed: MANAGERS,
    own: (f) => [
      'mutation($o: ID!) { createSsoConfig(input: { organizationId: $o, providerType: OIDC, providerName: "Matrix", oidcIssuer: "https://idp.example.test", oidcClientId: "matrix" }) { id } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!) { createSsoConfig(input: { organizationId: $o, providerType: OIDC, providerName: "Tap", oidcIssuer: "https://idp.example.test", oidcClientId: "tap" }) { id } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.updateSsoConfig',
    allowed: MANAGERS,
    own: (f) => ['mutation($id: ID!) { updateSsoConfig(id: $id, input: { providerName: "Matrix two" }) { id } }', { id: f.ssoConfigId }],
    foreign: (f) => ['mutation($id: ID!) { updateSsoConfig(id: $id, input: { enabled: false }) { id } }', { id: f.ssoConfigId }],
  },
  {
    field: 'Mutation.deleteSsoConfig',
    allowed: MANAGERS,
    own: (f) => ['mutation($id: ID!) { deleteSsoConfig(id: $id) { id } }', { id: f.spareSsoConfigId }],
    foreign: (f) => ['mutation($id: ID!) { deleteSsoConfig(id: $id) { id } }', { id: f.ssoConfigId }],
  },
  {
    field: 'Query.reports',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: (f) => ['query($o: ID!) { reports(organizationId: $o) { id } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.report',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: (f) => ['query($id: ID!) { report(id: $id) { id } }', { id: f.reportId }],
  },
  {
    field: 'Query.reportRuns',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: (f) => ['query($id: ID!) { reportRuns(reportId: $id) { id } }', { id: f.reportId }],
  },
  {
    field: 'Query.reportRun',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: (f) => ['query($id: ID!) { reportRun(id: $id) { id } }', { id: f.reportRunId }],
  },
  {
    field: 'Mutation.createReport',
    allowed: MANAGERS,
    own: (f) => [
      'mutation($o: ID!) { createReport(organizationId: $o, input: { name: "Matrix", metrics: [CALLS], period: LAST_7_DAYS, format: CSV }) { id } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.updateReport',
    allowed: MANAGERS,
    own: (f) => ['mutation($id: ID!) { updateReport(id: $id, input: { name: "M" }) { id } }', { id: f.reportId }],
  },
  {
    field: 'Mutation.deleteReport',
    allowed: MANAGERS,
    own: (f) => ['mutation($id: ID!) { deleteReport(id: $id) }', { id: f.spareReportId }],
  },
  { field: 'Mutation.runReport', allowed: MANAGERS, own: (f) => ['mutation($id: ID!) { runReport(id: $id) { id } }', { id: f.reportId }] },
  {
    field: 'Mutation.addRecording',
    allowed: MANAGERS,
    own: () => [
      'mutation { addRecording(input: { callId: "matrix-call", storageUrl: "https://media.example/matrix.wav", durationSeconds: 30 }) { id status } }',
    ],
  },
  {
    field: 'Query.recordings',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: () => ['{ recordings(filter: { status: PENDING }, first: 5) { id transcript } }'],
  },
  {
    field: 'Query.recording',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: () => ['{ recording(id: "rec_01JMATRIX0000000000000000") { id } }'],
  },
  {
    field: 'Mutation.recordCall',
    allowed: MANAGERS,
    own: () => [
      `mutation { recordCall(input: { callId: "matrix-whole", participants: ["user_x"], codec: "pcmu", startedAt: "2026-01-01T00:00:00Z", endedAt: "2026-01-01T00:05:00Z", rttMs: 50, jitterMs: 3, packetLossPercent: 0.1 }) { billedMinutes } }`,
    ],
  },
  {
    field: 'Mutation.recordCalls',
    allowed: MANAGERS,
    own: () => [
      `mutation { recordCalls(input: [{ callId: "matrix-batch", participants: [], codec: "opus", startedAt: "2026-01-01T00:00:00Z", endedAt: "2026-01-01T00:01:00Z", rttMs: 50, jitterMs: 3, packetLossPercent: 0 }]) { callId } }`,
    ],
  },
  {
    field: 'Mutation.recordAiUsage',
    allowed: MANAGERS,
    own: () => [
      'mutation { recordAiUsage(input: { id: "matrix-ai", feature: STT, model: "whisper-1", seconds: 3, occurredAt: "2026-01-01T00:00:00Z" }) { id } }',
    ],
  },
  {
    field: 'Mutation.recordAiUsageBatch',
    allowed: MANAGERS,
    own: () => [
      'mutation { recordAiUsageBatch(input: [{ id: "matrix-ai-2", feature: TTS, model: "tts-1", tokens: 30, occurredAt: "2026-01-01T00:00:00Z" }]) { id } }',
    ],
  },
  {
    field: 'Query.callRecord',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: () => ['{ callRecord(callId: "matrix-call") { callId } }'],
  },
  {
    field: 'Query.callRecords',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: (f) => ['query($o: ID!) { callRecords(organizationId: $o, first: 5) { callId } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { callRecords(organizationId: $o) { callId } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.callQuality',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: (f) => ['query($o: ID!) { callQuality(organizationId: $o) { calls mos { p50 } } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { callQuality(organizationId: $o) { calls } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.aiUsage',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: (f) => ['query($o: ID!) { aiUsage(organizationId: $o, groupBy: MODEL) { events } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { aiUsage(organizationId: $o) { events } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.organizationAnalytics',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: (f) => [
      'query($o: ID!) { organizationAnalytics(organizationId: $o, period: MONTHLY) { overview { totalCalls } } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'query($o: ID!) { organizationAnalytics(organizationId: $o) { overview { totalCalls } } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Query.costReport',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: (f) => ['query($o: ID!) { costReport(organizationId: $o) { day } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { costReport(organizationId: $o) { day } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.costInsights',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: (f) => ['query($o: ID!) { costInsights(organizationId: $o) { id } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { costInsights(organizationId: $o) { id } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Mutation.updateCostInsight',
    allowed: MANAGERS,
    own: (f) => ['mutation($id: ID!) { updateCostInsight(id: $id, status: DISMISSED) { status } }', { id: f.insightId }],
    foreign: (f) => ['mutation($id: ID!) { updateCostInsight(id: $id, status: APPLIED) { status } }', { id: f.insightId }],
  },
  {
    field: 'Subscription.organizationEvents',
    allowed: ALL,
    own: (f) => ['subscription($o: ID!) { organizationEvents(organizationId: $o) { type } }', { o: f.organization.organization.id }],
    foreign: (f) => ['subscription($o: ID!) { organizationEvents(organizationId: $o) { type } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Mutation.createOrganization',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: () => ['mutation { createOrganization(input: { name: "Spin-off" }) { id } }'],
  },
  {
    field: 'Mutation.updateOrganization',
    allowed: MANAGERS,
    own: (f) => [
      'mutation($id: ID!) { updateOrganization(id: $id, input: { name: "Renamed" }) { id } }',
      { id: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($id: ID!) { updateOrganization(id: $id, input: { name: "Hijacked" }) { id } }',
      { id: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.inviteMember',
    allowed: MANAGERS,
    own: (f) => [
      'mutation($i: InviteMemberInput!) { inviteMember(input: $i) { id } }',
      { i: { organizationId: f.organization.organization.id, email: uniqueEmail('invited') } },
    ],
    foreign: (f) => [
      'mutation($i: InviteMemberInput!) { inviteMember(input: $i) { id } }',
      { i: { organizationId: f.organization.organization.id, email: uniqueEmail('planted') } },
    ],
  },
  {
    field: 'Query.invitations',
    allowed: MANAGERS,
    own: (f) => ['query($o: ID!) { invitations(organizationId: $o) { id } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { invitations(organizationId: $o) { id email } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Mutation.revokeInvitation',
    allowed: MANAGERS,
    own: (f) => ['mutation($id: ID!) { revokeInvitation(id: $id) { status } }', { id: f.invitations.revoke }],
    foreign: (f) => ['mutation($id: ID!) { revokeInvitation(id: $id) { status } }', { id: f.invitations.revoke }],
  },
  // Answered by the person invited, who proves the address with the token: anyone may call them.
  {
    field: 'Mutation.acceptInvitation',
    allowed: 'public',
    own: (f) => ['mutation($t: String!) { acceptInvitation(token: $t) { id } }', { t: f.invitations.accept }],
  },
  {
    field: 'Mutation.declineInvitation',
    allowed: 'public',
    own: (f) => ['mutation($t: String!) { declineInvitation(token: $t) { status } }', { t: f.invitations.decline }],
  },
  {
    field: 'Mutation.updateMember',
    allowed: MANAGERS,
    own: (f) => ['mutation($id: ID!) { updateMember(id: $id, input: { status: SUSPENDED }) { id } }', { id: f.targets[0]!.membership.id }],
    foreign: (f) => [
      'mutation($id: ID!) { updateMember(id: $id, input: { status: SUSPENDED }) { id } }',
      { id: f.targets[0]!.membership.id },
    ],
  },
  {
    field: 'Mutation.removeMember',
    allowed: MANAGERS,
    own: (f) => ['mutation($id: ID!) { removeMember(id: $id) { id } }', { id: f.targets[1]!.membership.id }],
    foreign: (f) => ['mutation($id: ID!) { removeMember(id: $id) { id } }', { id: f.targets[1]!.membership.id }],
  },
  {
    field: 'Mutation.updateMe',
    allowed: ['owner', 'admin', 'billing_manager', 'member'],
    own: () => ['mutation { updateMe(input: { name: "Renamed" }) { id } }'],
  },
  {
    field: 'Mutation.createRole',
    allowed: MANAGERS,
    own: () => ['mutation { createRole(input: { name: "Viewer", permissions: ["members:read"] }) { id } }'],
  },
  {
    field: 'Mutation.updateRole',
    allowed: MANAGERS,
    own: (f) => ['mutation($id: ID!) { updateRole(id: $id, input: { name: "Renamed role" }) { id } }', { id: f.customRoles[0] }],
    foreign: (f) => ['mutation($id: ID!) { updateRole(id: $id, input: { permissions: ["*:*"] }) { id } }', { id: f.customRoles[0] }],
  },
  {
    field: 'Mutation.deleteRole',
    allowed: MANAGERS,
    own: (f) => ['mutation($id: ID!) { deleteRole(id: $id) { id } }', { id: f.customRoles[1] }],
    foreign: (f) => ['mutation($id: ID!) { deleteRole(id: $id) { id } }', { id: f.customRoles[1] }],
  },
  {
    field: 'Mutation.assignRole',
    allowed: MANAGERS,
    own: (f) => [
      'mutation($i: AssignRoleInput!) { assignRole(input: $i) { active } }',
      { i: { userId: f.targets[2]!.user.id, roleId: 'role_guest' } },
    ],
    foreign: (f) => [
      'mutation($i: AssignRoleInput!) { assignRole(input: $i) { active } }',
      { i: { userId: f.targets[2]!.user.id, roleId: f.customRoles[0], organizationId: f.organization.organization.id } },
    ],
  },
  {
    field: 'Mutation.revokeRole',
    allowed: MANAGERS,
    own: (f) => [
      'mutation($i: RevokeRoleInput!) { revokeRole(input: $i) { active } }',
      { i: { userId: f.targets[3]!.user.id, roleId: 'role_member' } },
    ],
    foreign: (f) => [
      'mutation($i: RevokeRoleInput!) { revokeRole(input: $i) { active } }',
      { i: { userId: f.organization.owner.user.id, roleId: 'role_owner', organizationId: f.organization.organization.id } },
    ],
  },
  {
    field: 'Query.auditLogs',
    allowed: AUDITORS,
    own: (f) => ['query($o: ID!) { auditLogs(organizationId: $o, first: 5) { nodes { id } } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { auditLogs(organizationId: $o) { nodes { id action } } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.auditLog',
    allowed: AUDITORS,
    own: (f) => ['query($id: ID!) { auditLog(id: $id) { id } }', { id: f.audit.eventId }],
    foreign: (f) => ['query($id: ID!) { auditLog(id: $id) { id action } }', { id: f.audit.eventId }],
  },
  {
    field: 'Query.auditStats',
    allowed: AUDITORS,
    own: (f) => ['query($o: ID!) { auditStats(organizationId: $o) { total } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { auditStats(organizationId: $o) { total } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.verifyAuditChain',
    allowed: AUDITORS,
    own: (f) => ['query($o: ID!) { verifyAuditChain(organizationId: $o) { valid } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { verifyAuditChain(organizationId: $o) { valid } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.securityEvents',
    allowed: AUDITORS,
    own: (f) => ['query($o: ID!) { securityEvents(organizationId: $o) { id } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { securityEvents(organizationId: $o) { id } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.auditSettings',
    allowed: AUDITORS,
    own: (f) => ['query($o: ID!) { auditSettings(organizationId: $o) { retentionDays } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { auditSettings(organizationId: $o) { retentionDays } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Mutation.recordAuditEvents',
    allowed: ['owner'],
    own: (f) => [
      'mutation($o: ID!) { recordAuditEvents(events: [{ organizationId: $o, actor: { type: SYSTEM }, action: "matrix.case.run" }]) { id } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!) { recordAuditEvents(events: [{ organizationId: $o, actor: { type: SYSTEM }, action: "matrix.case.plant" }]) { id } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.exportAuditLogs',
    allowed: AUDITORS,
    own: (f) => ['mutation($o: ID!) { exportAuditLogs(organizationId: $o) { url } }', { o: f.organization.organization.id }],
    foreign: (f) => [
      'mutation($o: ID!) { exportAuditLogs(organizationId: $o, format: CSV) { url } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.updateSecurityEventStatus',
    allowed: AUDITORS,
    own: (f) => [
      'mutation($id: ID!) { updateSecurityEventStatus(id: $id, status: ACKNOWLEDGED) { status } }',
      { id: f.audit.securityEventId },
    ],
    foreign: (f) => [
      'mutation($id: ID!) { updateSecurityEventStatus(id: $id, status: RESOLVED) { status } }',
      { id: f.audit.securityEventId },
    ],
  },
  {
    field: 'Mutation.setAuditRetention',
    allowed: AUDITORS,
    own: (f) => [
      'mutation($o: ID!) { setAuditRetention(organizationId: $o, retentionDays: 120) { retentionDays } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!) { setAuditRetention(organizationId: $o, retentionDays: 1) { retentionDays } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Query.auditSinks',
    allowed: AUDITORS,
    own: (f) => ['query($o: ID!) { auditSinks(organizationId: $o) { id } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { auditSinks(organizationId: $o) { id url } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Mutation.registerAuditSink',
    allowed: AUDITORS,
    own: (f) => [
      'mutation($o: ID!) { registerAuditSink(organizationId: $o, url: "https://127.0.0.1:9/own") { signingSecret } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!) { registerAuditSink(organizationId: $o, url: "https://127.0.0.1:9/tap") { signingSecret } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.deleteAuditSink',
    allowed: AUDITORS,
    own: (f) => ['mutation($id: ID!) { deleteAuditSink(id: $id) { id } }', { id: f.audit.sinkId }],
    foreign: (f) => ['mutation($id: ID!) { deleteAuditSink(id: $id) { id } }', { id: f.audit.sinkId }],
  },
  {
    field: 'Subscription.securityEvents',
    allowed: AUDITORS,
    own: (f) => ['subscription($o: ID!) { securityEvents(organizationId: $o) { id } }', { o: f.organization.organization.id }],
    foreign: (f) => ['subscription($o: ID!) { securityEvents(organizationId: $o) { id } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Mutation.grantConsent',
    allowed: ALL,
    own: (f) => [
      'mutation($o: ID!) { grantConsent(input: { organizationId: $o, purpose: "marketing", noticeVersion: "v1" }) { id } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!) { grantConsent(input: { organizationId: $o, purpose: "marketing", noticeVersion: "v1" }) { id } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.withdrawConsent',
    allowed: ALL,
    own: (f) => [
      'mutation($o: ID!) { withdrawConsent(input: { organizationId: $o, purpose: "analytics" }) { id } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!, $u: ID!) { withdrawConsent(input: { organizationId: $o, userId: $u, purpose: "analytics" }) { id } }',
      { o: f.organization.organization.id, u: f.organization.owner.user.id },
    ],
  },
  {
    field: 'Query.consents',
    allowed: COMPLIANCE_READERS,
    own: (f) => ['query($o: ID!) { consents(organizationId: $o) { id state } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { consents(organizationId: $o) { id state } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.consentHistory',
    allowed: ALL,
    own: (f) => [
      'query($o: ID!, $u: ID!) { consentHistory(organizationId: $o, userId: $u) { id } }',
      { o: f.organization.organization.id, u: f.actor.user.id },
    ],
    foreign: (f) => [
      'query($o: ID!, $u: ID!) { consentHistory(organizationId: $o, userId: $u) { id state } }',
      { o: f.organization.organization.id, u: f.organization.owner.user.id },
    ],
  },
  {
    field: 'Mutation.placeLegalHold',
    allowed: COMPLIANCE_MANAGERS,
    own: (f) => [
      'mutation($o: ID!) { placeLegalHold(input: { organizationId: $o, reason: "Matrix" }) { id } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!) { placeLegalHold(input: { organizationId: $o, reason: "Matrix" }) { id } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.releaseLegalHold',
    allowed: COMPLIANCE_MANAGERS,
    own: (f) => ['mutation($id: ID!) { releaseLegalHold(id: $id, note: "Matrix") { id active } }', { id: f.legalHoldId }],
    foreign: (f) => ['mutation($id: ID!) { releaseLegalHold(id: $id, note: "Matrix") { id active } }', { id: f.legalHoldId }],
  },
  {
    field: 'Query.legalHolds',
    allowed: COMPLIANCE_READERS,
    own: (f) => ['query($o: ID!) { legalHolds(organizationId: $o) { id } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { legalHolds(organizationId: $o) { id reason } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Mutation.startAccessReview',
    allowed: COMPLIANCE_MANAGERS,
    own: (f) => ['mutation($o: ID!) { startAccessReview(organizationId: $o) { id } }', { o: f.organization.organization.id }],
    foreign: (f) => ['mutation($o: ID!) { startAccessReview(organizationId: $o) { id } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Mutation.decideAccessReviewEntry',
    allowed: COMPLIANCE_MANAGERS,
    own: (f) => [
      'mutation($e: ID!) { decideAccessReviewEntry(input: { entryId: $e, decision: KEPT }) { id decision } }',
      { e: f.accessReviews.decideEntryId },
    ],
    foreign: (f) => [
      'mutation($e: ID!) { decideAccessReviewEntry(input: { entryId: $e, decision: REVOKE_REQUESTED }) { id decision } }',
      { e: f.accessReviews.decideEntryId },
    ],
  },
  {
    field: 'Mutation.completeAccessReview',
    allowed: COMPLIANCE_MANAGERS,
    own: (f) => ['mutation($id: ID!) { completeAccessReview(id: $id) { id status } }', { id: f.accessReviews.completeId }],
    foreign: (f) => ['mutation($id: ID!) { completeAccessReview(id: $id) { id status } }', { id: f.accessReviews.completeId }],
  },
  {
    field: 'Query.accessReviews',
    allowed: COMPLIANCE_READERS,
    own: (f) => ['query($o: ID!) { accessReviews(organizationId: $o) { id } }', { o: f.organization.organization.id }],
    foreign: (f) => [
      'query($o: ID!) { accessReviews(organizationId: $o) { id entries { userId } } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Query.accessReview',
    allowed: COMPLIANCE_READERS,
    own: (f) => ['query($id: ID!) { accessReview(id: $id) { id entries { id } } }', { id: f.accessReviews.completeId }],
    foreign: (f) => ['query($id: ID!) { accessReview(id: $id) { id entries { userId roleId } } }', { id: f.accessReviews.completeId }],
  },
  {
    field: 'Mutation.requestDataExport',
    allowed: ALL,
    own: (f) => [
      'mutation($o: ID!) { requestDataExport(input: { organizationId: $o, format: CSV }) { id status } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!) { requestDataExport(input: { organizationId: $o }) { id } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.requestDataDeletion',
    allowed: ALL,
    own: (f) => [
      'mutation($o: ID!) { requestDataDeletion(input: { organizationId: $o }) { id status } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!) { requestDataDeletion(input: { organizationId: $o }) { id } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.requestRectification',
    allowed: ALL,
    own: (f) => [
      'mutation($o: ID!) { requestRectification(input: { organizationId: $o, details: "My name is misspelt" }) { id status } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!) { requestRectification(input: { organizationId: $o, details: "Matrix" }) { id } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.approveComplianceRequest',
    allowed: COMPLIANCE_MANAGERS,
    own: (f) => [
      'mutation($id: ID!) { approveComplianceRequest(id: $id, note: "Corrected") { id status } }',
      { id: f.complianceRequests.approve },
    ],
    foreign: (f) => ['mutation($id: ID!) { approveComplianceRequest(id: $id) { id status } }', { id: f.complianceRequests.approve }],
  },
  {
    field: 'Mutation.rejectComplianceRequest',
    allowed: COMPLIANCE_MANAGERS,
    own: (f) => [
      'mutation($id: ID!) { rejectComplianceRequest(id: $id, reason: "Matrix") { id status } }',
      { id: f.complianceRequests.reject },
    ],
    foreign: (f) => [
      'mutation($id: ID!) { rejectComplianceRequest(id: $id, reason: "Matrix") { id status } }',
      { id: f.complianceRequests.reject },
    ],
  },
  {
    field: 'Mutation.extendComplianceRequest',
    allowed: COMPLIANCE_MANAGERS,
    own: (f) => [
      'mutation($id: ID!) { extendComplianceRequest(id: $id, reason: "Matrix") { id dueAt } }',
      { id: f.complianceRequests.extend },
    ],
    foreign: (f) => [
      'mutation($id: ID!) { extendComplianceRequest(id: $id, reason: "Matrix") { id dueAt } }',
      { id: f.complianceRequests.extend },
    ],
  },
  {
    field: 'Query.complianceRequests',
    allowed: ALL,
    own: (f) => [
      'query($o: ID!, $u: ID!) { complianceRequests(organizationId: $o, userId: $u) { id status } }',
      { o: f.organization.organization.id, u: f.actor.user.id },
    ],
    foreign: (f) => ['query($o: ID!) { complianceRequests(organizationId: $o) { id details } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.complianceRequest',
    allowed: ALL,
    own: (f) => ['query($id: ID!) { complianceRequest(id: $id) { id status overdue } }', { id: f.complianceRequests.read }],
    foreign: (f) => ['query($id: ID!) { complianceRequest(id: $id) { id details } }', { id: f.complianceRequests.read }],
  },
  {
    field: 'Subscription.complianceRequestUpdates',
    allowed: COMPLIANCE_READERS,
    own: (f) => [
      'subscription($o: ID!) { complianceRequestUpdates(organizationId: $o) { id status } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'subscription($o: ID!) { complianceRequestUpdates(organizationId: $o) { id status } }',
      { o: f.organization.organization.id },
    ],
  },
  ...(['identity', 'audit', 'analytics', 'compliance'] as const).flatMap((subgraph): Case[] => [
    {
      field: `Query._${subgraph}DataSubjectExport`,
      allowed: 'service',
      own: (f) => [
        `query($o: ID!, $u: ID!) { _${subgraph}DataSubjectExport(organizationId: $o, userId: $u) { next records { kind id data } } }`,
        { o: f.organization.organization.id, u: f.actor.user.id },
      ],
      foreign: (f) => [
        `query($o: ID!, $u: ID!) { _${subgraph}DataSubjectExport(organizationId: $o, userId: $u) { records { data } } }`,
        { o: f.organization.organization.id, u: f.organization.owner.user.id },
      ],
    },
    {
      field: `Mutation._${subgraph}DataSubjectErase`,
      allowed: 'service',
      own: (f) => [
        `mutation($o: ID!, $u: ID!) { _${subgraph}DataSubjectErase(organizationId: $o, userId: $u, categories: ["network"]) { kind } }`,
        { o: f.organization.organization.id, u: f.actor.user.id },
      ],
      foreign: (f) => [
        `mutation($o: ID!, $u: ID!) { _${subgraph}DataSubjectErase(organizationId: $o, userId: $u, categories: ["network"]) { kind } }`,
        { o: f.organization.organization.id, u: f.organization.owner.user.id },
      ],
    },
  ]),
  {
    field: 'Query.retentionPolicies',
    allowed: COMPLIANCE_READERS,
    own: (f) => ['query($o: ID!) { retentionPolicies(organizationId: $o) { category } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { retentionPolicies(organizationId: $o) { category } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Mutation.setRetentionPolicy',
    allowed: COMPLIANCE_MANAGERS,
    own: (f) => [
      'mutation($o: ID!) { setRetentionPolicy(input: { organizationId: $o, category: SESSIONS, keepDays: 30 }) { keepDays } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'mutation($o: ID!) { setRetentionPolicy(input: { organizationId: $o, category: SESSIONS, keepDays: 1 }) { keepDays } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.removeRetentionPolicy',
    allowed: COMPLIANCE_MANAGERS,
    own: (f) => ['mutation($o: ID!) { removeRetentionPolicy(organizationId: $o, category: USAGE) }', { o: f.organization.organization.id }],
    foreign: (f) => [
      'mutation($o: ID!) { removeRetentionPolicy(organizationId: $o, category: USAGE) }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Mutation.retentionDryRun',
    allowed: COMPLIANCE_MANAGERS,
    own: (f) => ['mutation($o: ID!) { retentionDryRun(organizationId: $o) { id status } }', { o: f.organization.organization.id }],
    foreign: (f) => ['mutation($o: ID!) { retentionDryRun(organizationId: $o) { id status } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.retentionRuns',
    allowed: COMPLIANCE_READERS,
    own: (f) => ['query($o: ID!) { retentionRuns(organizationId: $o) { id } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { retentionRuns(organizationId: $o) { id status } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.retentionRun',
    allowed: COMPLIANCE_READERS,
    own: (f) => ['query($id: ID!) { retentionRun(id: $id) { id } }', { id: f.retentionRunId }],
    foreign: (f) => ['query($id: ID!) { retentionRun(id: $id) { id status } }', { id: f.retentionRunId }],
  },
  {
    field: 'Query.complianceReport',
    allowed: COMPLIANCE_READERS,
    own: (f) => [
      'query($o: ID!) { complianceReport(organizationId: $o, standard: GDPR) { standard } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'query($o: ID!) { complianceReport(organizationId: $o, standard: GDPR) { holds { active } } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Query.complianceReportPdf',
    allowed: COMPLIANCE_READERS,
    own: (f) => [
      'query($o: ID!) { complianceReportPdf(organizationId: $o, standard: SOC2) { url } }',
      { o: f.organization.organization.id },
    ],
    foreign: (f) => [
      'query($o: ID!) { complianceReportPdf(organizationId: $o, standard: SOC2) { url } }',
      { o: f.organization.organization.id },
    ],
  },
  {
    field: 'Query.jobs',
    allowed: JOB_READERS,
    own: (f) => ['query($o: ID!) { jobs(organizationId: $o) { id status } }', { o: f.organization.organization.id }],
    foreign: (f) => ['query($o: ID!) { jobs(organizationId: $o) { id status lastError } }', { o: f.organization.organization.id }],
  },
  {
    field: 'Query.job',
    allowed: JOB_READERS,
    own: (f) => ['query($id: ID!) { job(id: $id) { id status } }', { id: f.jobRunId }],
    foreign: (f) => ['query($id: ID!) { job(id: $id) { id status result } }', { id: f.jobRunId }],
  },
  {
    field: 'Subscription.jobUpdates',
    allowed: JOB_READERS,
    own: (f) => ['subscription($o: ID!) { jobUpdates(organizationId: $o) { id } }', { o: f.organization.organization.id }],
    foreign: (f) => ['subscription($o: ID!) { jobUpdates(organizationId: $o) { id } }', { o: f.organization.organization.id }],
  },
];

let supergraph: TestSupergraph;
let worker: JobRunner;
const fixtures = new Map<RoleName, Fixture>();
let foreign: Fixture;

async function fixture(role: RoleName | null): Promise<Fixture> {
  let builder = supergraph.seed.org({ name: role ? `Home of ${role}` : 'Foreign' });
  if (role) builder = builder.withMember({ role: `role_${role}` });
  for (let index = 0; index < 4; index++) builder = builder.withMember();
  const organization = await builder.create();
  const [actor, ...targets] = role ? organization.members : [organization.owner, ...organization.members];
  const customRoles = [];
  for (const name of ['Custom one', 'Custom two']) {
    customRoles.push(
      (
        await supergraph.seed.authz.roles.create(organization.organization.id, organization.owner.user.id, {
          name,
          permissions: ['members:read'],
        })
      ).id,
    );
  }
  const invite = async () => supergraph.seed.invite(organization.organization.id, organization.owner.user.id);
  const invitations = { accept: (await invite()).token!, decline: (await invite()).token!, revoke: (await invite()).id };
  const subscription = await supergraph.gateway<{ organization: { subscription: { id: string } } }, { id: string }>(
    'query($id: ID!) { organization(id: $id) { subscription { id } } }',
    { id: organization.organization.id },
    { token: organization.owner.token },
  );
  const subscriptionId = expectNoErrors(subscription).organization.subscription.id;
  const invoiceId = `inv_matrix${role ?? 'foreign'}`.replace(/[^A-Za-z0-9_]/g, '');
  await supergraph.dataSources.billing.query(
    `INSERT INTO billing.invoices (id, organization_id, subscription_id, status, period_start, period_end, currency, lines, subtotal_cents, tax_cents, total_cents, issued_at)
     VALUES ($1, $2, $3, 'open', now() - interval '1 month', now(), 'usd', '[]', 0, 0, 0, now())`,
    [invoiceId, organization.organization.id, subscriptionId],
  );
  const eventId = `aud_matrix${role ?? 'foreign'}`.replace(/[^A-Za-z0-9_]/g, '');
  const denial = {
    organizationId: organization.organization.id,
    actor: { type: 'USER', id: 'user_matrixprobe' },
    action: 'matrix.case.deny',
    outcome: 'DENIED',
  };
  expectNoErrors(
    await supergraph.gateway(
      'mutation($e: [AuditEventInput!]!) { recordAuditEvents(events: $e) { id } }',
      { e: [{ ...denial, id: eventId }, ...Array.from({ length: 9 }, () => denial)] },
      { token: organization.owner.token },
    ),
  );
  const securityEventId = await eventually(async () => {
    const { securityEvents } = expectNoErrors(
      await supergraph.gateway<{ securityEvents: { id: string }[] }, { o: string }>(
        'query($o: ID!) { securityEvents(organizationId: $o) { id } }',
        { o: organization.organization.id },
        { token: organization.owner.token },
      ),
    );
    return securityEvents[0]?.id;
  }, 'the security event the denials open');
  const { registerAuditSink } = expectNoErrors(
    await supergraph.gateway<{ registerAuditSink: { sink: { id: string } } }, { o: string }>(
      'mutation($o: ID!) { registerAuditSink(organizationId: $o, url: "https://127.0.0.1:9/matrix") { sink { id } } }',
      { o: organization.organization.id },
      { token: organization.owner.token },
    ),
  );
  const insightId = `ins_matrix${role ?? 'foreign'}`.replace(/[^A-Za-z0-9_]/g, '');
  await supergraph.dataSources.analytics.query(
    `INSERT INTO analytics.cost_insights (id, organization_id, kind, subject, title, detail, estimated_monthly_savings_micros)
     VALUES ($1, $2, 'idle_seats', 'idle-seats', 'Idle people', 'Review them', 0)`,
    [insightId, organization.organization.id],
  );
  const jobRunId = (await worker.send('audit.archive-events', { organizationId: organization.organization.id }))!;
  const suffix = `${role ?? 'foreign'}`.replace(/[^A-Za-z0-9]/g, '');
  const [reportId, spareReportId, reportRunId] = [`rpt_matrix${suffix}`, `rpt_matrixspare${suffix}`, `rptrun_matrix${suffix}`];
  for (const id of [reportId, spareReportId])
    await supergraph.dataSources.analytics.query(
      `INSERT INTO analytics.reports (id, organization_id, name, metrics, group_by, period, format, created_by)
       VALUES ($1, $2, 'Matrix', '{calls}', 'none', 'last_7_days', 'csv', 'user_matrix')`,
      [id, organization.organization.id],
    );
  await supergraph.dataSources.analytics.query(
    `INSERT INTO analytics.report_runs (id, report_id, organization_id, status, trigger, period_start, period_end, format)
     VALUES ($1, $2, $3, 'failed', 'manual', now() - interval '1 day', now(), 'csv')`,
    [reportRunId, reportId, organization.organization.id],
  );
  const apiKeyId = `apikey_matrix${suffix}`;
  await supergraph.dataSources.identity.query(
    `INSERT INTO identity.api_keys (id, organization_id, created_by_id, name, prefix, key_hash)
     VALUES ($1, $2, $3, 'Matrix', 'ak_live_matrix', encode(sha256(convert_to($4, 'UTF8')), 'hex'))`,
    [apiKeyId, organization.organization.id, organization.owner.user.id, apiKeyId],
  );
  const legalHoldId = `hold_matrix${suffix}`;
  await supergraph.dataSources.compliance.query(
    `INSERT INTO compliance.legal_holds (id, organization_id, reason, placed_by_id) VALUES ($1, $2, 'Matrix', $3)`,
    [legalHoldId, organization.organization.id, organization.owner.user.id],
  );
  const accessReviews = { decideEntryId: `arve_matrixdecide${suffix}`, completeId: `arv_matrixcomplete${suffix}` };
  for (const [reviewId, entryId, decision] of [
    [`arv_matrixdecide${suffix}`, accessReviews.decideEntryId, null],
    [accessReviews.completeId, `arve_matrixcomplete${suffix}`, 'kept'],
  ] as const) {
    await supergraph.dataSources.compliance.query(
      `INSERT INTO compliance.access_reviews (id, organization_id, status, started_by_id, started_at) VALUES ($1, $2, 'in_progress', $3, now())`,
      [reviewId, organization.organization.id, organization.owner.user.id],
    );
    await supergraph.dataSources.compliance.query(
      `INSERT INTO compliance.access_review_entries (id, review_id, organization_id, user_id, role_id, decision) VALUES ($1, $2, $3, $4, 'role_member', $5)`,
      [entryId, reviewId, organization.organization.id, targets[1]!.user.id, decision],
    );
  }
  const retentionRunId = `rtn_matrix${suffix}`;
  await supergraph.dataSources.compliance.query(
    `INSERT INTO compliance.retention_runs (id, organization_id, dry_run, organization_held, held_users) VALUES ($1, $2, true, false, 0)`,
    [retentionRunId, organization.organization.id],
  );
  const { sessionId } = await supergraph.seed.identity.sessions.start(actor!.user.id, organization.organization.id);
  const { secret: mfaSecret } = await supergraph.seed.identity.mfa.beginEnrollment(actor!.user.id, actor!.user.email);
  const complianceRequests = {
    read: `dsr_matrixread${suffix}`,
    approve: `dsr_matrixapprove${suffix}`,
    reject: `dsr_matrixreject${suffix}`,
    extend: `dsr_matrixextend${suffix}`,
  };
  // The one to read is the actor's own; the ones decided are about a target (nobody decides a request about themselves).
  for (const [id, subject] of [
    [complianceRequests.read, actor!],
    [complianceRequests.approve, targets[0]!],
    [complianceRequests.reject, targets[0]!],
    [complianceRequests.extend, targets[0]!],
  ] as const)
    await supergraph.dataSources.compliance.query(
      `INSERT INTO compliance.data_subject_requests (id, organization_id, user_id, requested_by_id, type, status, regulation, details, received_at, due_at, updated_at)
       VALUES ($1, $2, $3, $3, 'rectification', 'awaiting_approval', 'gdpr', 'Matrix', now(), now() + interval '1 month', now())`,
      [id, organization.organization.id, subject.user.id],
    );
  const [ssoConfigId, spareSsoConfigId] = [`sso_matrix${suffix}`, `sso_matrixspare${suffix}`];
  for (const id of [ssoConfigId, spareSsoConfigId])
    await supergraph.dataSources.identity.query(
      `INSERT INTO identity.sso_configs (id, organization_id, provider_type, provider_name, enabled, saml_certificates, oidc_issuer, oidc_client_id, auto_provision_users, default_role_id, attribute_mapping)
       VALUES ($1, $2, 'oidc', 'Matrix', true, '[]', 'https://idp.example.test', 'matrix', false, 'role_member', '{"email":"email","name":"name","groups":"groups","groupRoles":[]}')`,
      [id, organization.organization.id],
    );
  return {
    apiKeyId,
    legalHoldId,
    accessReviews,
    complianceRequests,
    retentionRunId,
    sessionId,
    mfaSecret,
    ssoConfigId,
    spareSsoConfigId,
    reportId,
    spareReportId,
    reportRunId,
    organization,
    actor: actor!,
    targets,
    customRoles,
    invitations,
    billing: { subscriptionId, invoiceId },
    audit: { eventId, securityEventId, sinkId: registerAuditSink.sink.id },
    insightId,
    jobRunId,
  };
}

/**
 * Over HTTP, or for a subscription over the gateway's WebSocket: its first result, or, if
 * none comes within a moment (an event stream with nothing to say yet), an empty answer
 * that counts as allowed.
 */
async function send(token: string, [query, variables]: [string, Record<string, unknown>?]): Promise<Exchange<Record<string, unknown>>> {
  if (!query.startsWith('subscription')) {
    return supergraph.gateway<Record<string, unknown>, Record<string, unknown> | undefined>(query, variables, { token });
  }
  const socket = connect(supergraph.gatewayUrl, token);
  try {
    const [first] = await socket.subscribe(query, variables).drain(700);
    const field = /{\s*(\w+)/.exec(query)![1]!;
    return {
      status: 200,
      data: (first?.data as Record<string, unknown> | undefined) ?? (first ? null : { [field]: 'no event yet' }),
      errors: first?.errors as Exchange<unknown>['errors'],
      request: { url: supergraph.gatewayUrl, query, variables, token: undefined },
      body: first,
    };
  } finally {
    await socket.dispose();
  }
}

function codes(exchange: Exchange<unknown>): string[] {
  return (exchange.errors ?? []).map((error) => String(error.extensions?.code));
}

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  worker = await startWorker(
    {
      config: supergraph.config,
      logger: createLogger('silent'),
      dataSources: supergraph.dataSources,
      access: supergraph.access,
      events: supergraph.events,
      messaging: supergraph.messaging,
    },
    supergraph.database.url,
  );
  for (const role of ALL) fixtures.set(role, await fixture(role));
  foreign = await fixture(null);
});
afterAll(async () => {
  await worker?.close();
  await supergraph?.stop();
});

describe('the role matrix', () => {
  it('covers every root field of the supergraph, and the roles it names are the system roles', () => {
    const api = buildSchema(readFileSync(path.resolve(__dirname, '../..', API_SCHEMA_PATH), 'utf8'));
    const rootFields = [api.getQueryType(), api.getMutationType(), api.getSubscriptionType()].flatMap((type) =>
      type ? Object.keys(type.getFields()).map((field) => `${type.name}.${field}`) : [],
    );
    expect(CASES.map((c) => c.field).sort()).toEqual(rootFields.sort());
    expect(SYSTEM_ROLES.map((role) => role.id)).toEqual(ALL.map((role) => `role_${role}`));
  });

  describe.each(ALL)('as %s', (role) => {
    it.each(CASES.map((c) => [c.field, c] as const))(
      '%s in its own organization: allowed or FORBIDDEN as the role table says',
      async (_field, c) => {
        const own = fixtures.get(role)!;
        const exchange = await send(own.actor.token, c.own(own));
        const fieldName = c.field.split('.')[1]!;
        if (c.allowed === 'service') {
          expect(codes(exchange)).toEqual(['FORBIDDEN']);
          expect(exchange.errors?.[0]?.extensions?.reason).toBe('SERVICE_ONLY');
          expect(exchange.data?.[fieldName] ?? null).toBeNull();
        } else if (c.allowed === 'public' || c.allowed.includes(role)) {
          expect({ errors: exchange.errors ?? [] }).toEqual({ errors: [] });
          expect(exchange.data?.[fieldName]).toBeDefined();
        } else {
          expect(codes(exchange)).toEqual(['FORBIDDEN']);
          expect(exchange.errors?.[0]?.extensions?.requiredPermission).toMatch(/^[a-z_]+:[a-z_]+$/);
          expect(exchange.data?.[fieldName] ?? null).toBeNull();
        }
      },
    );

    it.each(CASES.filter((c) => c.foreign).map((c) => [c.field, c] as const))(
      '%s aimed at another organization never reads or changes it',
      async (_field, c) => {
        const own = fixtures.get(role)!;
        const exchange = await send(own.actor.token, c.foreign!(foreign));
        if (exchange.errors?.length) {
          expect(codes(exchange).every((code) => code === 'FORBIDDEN' || code === 'NOT_FOUND')).toBe(true);
          expect(exchange.data?.[c.field.split('.')[1]!] ?? null).toBeNull();
        } else {
          expect(c.foreignData).toBeDefined();
          c.foreignData!(exchange.data!, foreign);
        }
      },
    );
  });

  it('left the foreign organization exactly as it was', async () => {
    expect(await supergraph.seed.identity.sessions.isOpen(foreign.sessionId)).toBe(true);
    const [policy] = await supergraph.seed.identity.sessionPolicies.findByOrganizationIds([foreign.organization.organization.id]);
    expect(policy!.isDefault).toBe(true);
    expect(await supergraph.seed.identity.adminIpAllowlists.get(foreign.organization.organization.id)).toEqual([]);
    expect(await supergraph.seed.identity.mfa.requirementOf(foreign.organization.organization.id)).toBe('none');
    const token = foreign.organization.owner.token;
    const { data } = await send(token, [
      `query($id: ID!) { organization(id: $id) { name members { id status user { roles { role { id } } } } } roles { id name permissions } }`,
      { id: foreign.organization.organization.id },
    ]);
    const organization = data!.organization as {
      name: string;
      members: { id: string; status: string; user: { roles: { role: { id: string } }[] } }[];
    };
    expect(organization.name).toBe('Foreign');
    expect(organization.members.map((m) => m.id)).toEqual([
      foreign.organization.owner.membership.id,
      ...foreign.targets.map((t) => t.membership.id),
    ]);
    expect(organization.members.every((m) => m.status === 'ACTIVE')).toBe(true);
    expect(organization.members.map((m) => m.user.roles.map((r) => r.role.id))).toEqual([
      ['role_owner'],
      ...foreign.targets.map(() => ['role_member']),
    ]);
    const { invitations } = expectNoErrors(
      await supergraph.gateway<{ invitations: { id: string; status: string }[] }, { o: string }>(
        'query($o: ID!) { invitations(organizationId: $o) { id status } }',
        { o: foreign.organization.organization.id },
        { token },
      ),
    );
    expect(invitations.every((invitation) => invitation.status === 'PENDING')).toBe(true);
    expect(invitations.map((invitation) => invitation.id)).toContain(foreign.invitations.revoke);
    const [insight] = (await supergraph.dataSources.analytics.query('SELECT status FROM analytics.cost_insights WHERE id = $1', [
      foreign.insightId,
    ])) as { status: string }[];
    expect(insight.status).toBe('open');
    const [consents] = (await supergraph.dataSources.compliance.query(
      'SELECT count(*)::int AS count FROM compliance.consent_records WHERE organization_id = $1',
      [foreign.organization.organization.id],
    )) as { count: number }[];
    expect(consents.count).toBe(0);
    const holds = (await supergraph.dataSources.compliance.query(
      'SELECT id, released_at AS "releasedAt" FROM compliance.legal_holds WHERE organization_id = $1',
      [foreign.organization.organization.id],
    )) as { id: string; releasedAt: Date | null }[];
    expect(holds).toEqual([{ id: foreign.legalHoldId, releasedAt: null }]);
    const reviews = (await supergraph.dataSources.compliance.query(
      `SELECT r.id, r.status, e.decision FROM compliance.access_reviews r JOIN compliance.access_review_entries e ON e.review_id = r.id
        WHERE r.organization_id = $1 ORDER BY r.id`,
      [foreign.organization.organization.id],
    )) as { id: string; status: string; decision: string | null }[];
    expect(reviews).toEqual([
      { id: foreign.accessReviews.completeId, status: 'in_progress', decision: 'kept' },
      { id: foreign.accessReviews.completeId.replace('complete', 'decide'), status: 'in_progress', decision: null },
    ]);
    const retention = (await supergraph.dataSources.compliance.query(
      `SELECT (SELECT count(*)::int FROM compliance.retention_policies WHERE organization_id = $1) AS policies,
              (SELECT count(*)::int FROM compliance.retention_runs WHERE organization_id = $1) AS runs`,
      [foreign.organization.organization.id],
    )) as { policies: number; runs: number }[];
    expect(retention).toEqual([{ policies: 0, runs: 1 }]);
    const ssoConfigs = (await supergraph.dataSources.identity.query(
      'SELECT id, provider_name, enabled FROM identity.sso_configs WHERE organization_id = $1 ORDER BY id',
      [foreign.organization.organization.id],
    )) as { id: string; provider_name: string; enabled: boolean }[];
    expect(ssoConfigs).toEqual([
      { id: foreign.ssoConfigId, provider_name: 'Matrix', enabled: true },
      { id: foreign.spareSsoConfigId, provider_name: 'Matrix', enabled: true },
    ]);
    const roles = data!.roles as { id: string; name: string; permissions: string[] }[];
    expect(roles.filter((r) => foreign.customRoles.includes(r.id))).toEqual([
      { id: foreign.customRoles[0], name: 'Custom one', permissions: ['members:read'] },
      { id: foreign.customRoles[1], name: 'Custom two', permissions: ['members:read'] },
    ]);
  });
});
