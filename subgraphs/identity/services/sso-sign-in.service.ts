import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { ClientInfo } from '../../../platform/client-info';
import { ForbiddenError, UnauthenticatedError } from '../../../platform/errors';
import type { CodedError } from '../../../platform/errors';
import type { SsoLoginFailureReason } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';
import { MemberStatus } from '../entities/organization-member.entity';
import type { SsoConfig } from '../entities/sso-config.entity';
import type { MemberService } from './member.service';
import type { MfaService, MfaSignInStep } from './mfa.service';
import type { SessionService, SignedIn } from './session.service';
import type { SignInProtectionService } from './sign-in-protection.service';
import type { SignInStateStore } from './sign-in-state.store';
import type { UserService } from './user.service';
import { normalizeEmail } from './user.service';

/** Who the identity provider says signed in, read through the configuration's attribute mapping. */
export interface AssertedIdentity {
  email: string | undefined;
  name: string | undefined;
  groups: string[];
  /** false only when the provider says the address is not verified. */
  emailVerified: boolean;
}

export interface SsoSignedIn extends SignedIn {
  kind: 'signed_in';
  userId: string;
  organizationId: string;
  /** The sign-in made the account or the membership. */
  provisioned: boolean;
}

/** The identity provider vouched for the person, and a second factor is asked before a session starts. */
export interface SsoMfaChallenge {
  kind: 'mfa_required';
  /** What `POST /api/v1/auth/mfa/verify` (and, to enrol, `…/mfa/enroll`) takes: `mfa_…`, good for a few minutes. */
  mfaToken: string;
  /** The person has no second factor and the organization requires one: they enrol first. */
  enrollmentRequired: boolean;
  expiresAt: Date;
  userId: string;
  organizationId: string;
  provisioned: boolean;
}

export type SsoSignInOutcome = SsoSignedIn | SsoMfaChallenge;

/** What a challenge keeps server-side until its code comes (in the sign-in state store, like an OIDC state). */
export interface PendingMfaChallenge {
  userId: string;
  organizationId: string;
  ssoConfigId: string;
  providerType: SsoConfig['providerType'];
  provisioned: boolean;
  enrollmentRequired: boolean;
  expiresAt: number;
}

/** A sign-in waits this long for its second factor. */
export const MFA_CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const MFA_CHALLENGE_PREFIX = 'mfa_';

/** Where a refusal or a session is stated: the configuration the sign-in came through. */
export type SignInSource = Pick<SsoConfig, 'id' | 'organizationId' | 'providerType'>;

const NO_CLIENT: ClientInfo = { ip: null, userAgent: null };

/** Reads a claim or attribute set as the mapping names it: a string, or the first of a list. */
export function identityFrom(claims: Record<string, unknown>, config: SsoConfig): AssertedIdentity {
  const text = (value: unknown) =>
    typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
  const groups = claims[config.attributeMapping.groups];
  return {
    email: text(claims[config.attributeMapping.email])?.trim() || undefined,
    name: text(claims[config.attributeMapping.name])?.trim().slice(0, 200) || undefined,
    groups: Array.isArray(groups)
      ? groups.filter((group): group is string => typeof group === 'string')
      : typeof groups === 'string'
        ? [groups]
        : [],
    emailVerified: claims.email_verified !== false && claims.email_verified !== 'false',
  };
}

/**
 * What every single sign-on ends with, whichever the protocol: the person the identity
 * provider vouches for is found by email, or made a user and member when the configuration
 * provisions (with the role of their first mapped group, else the default role); a session
 * starts, unless a second factor is asked first (the member has one, or the organization
 * requires one): then a short-lived MFA challenge is answered instead, which
 * `MfaSignInService` completes. A member locked out after too many failures is refused (429).
 * Each outcome is a fact on identity's outbox (`identity.sso.login_succeeded`,
 * `identity.sso.login_failed`), which the audit log stores.
 */
export class SsoSignInService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserService,
    private readonly members: MemberService,
    private readonly sessions: SessionService,
    private readonly outbox: Outbox,
    private readonly mfa: Pick<MfaService, 'signInStep' | 'signInStepOf'>,
    private readonly protection: Pick<
      SignInProtectionService,
      'assertNotLocked' | 'assertNotLockedUntil' | 'failedForMember' | 'succeeded'
    >,
    private readonly challenges: SignInStateStore,
  ) {}

  /** `client`: the browser's address and user agent, which the session records. */
  async complete(config: SsoConfig, identity: AssertedIdentity, client: ClientInfo = NO_CLIENT): Promise<SsoSignInOutcome> {
    if (!identity.email || !/^[^@\s]+@[^@\s]+$/.test(identity.email) || identity.email.length > 320) {
      throw await this.refused(
        config,
        'missing_email',
        `The identity provider sent no email address in "${config.attributeMapping.email}"`,
      );
    }
    const email = normalizeEmail(identity.email);
    if (!identity.emailVerified) {
      throw await this.refused(config, 'unverified_email', `The identity provider has not verified ${email}`, { subject: email });
    }
    const found = await this.users.findForSignIn(config.organizationId, email);
    let userId: string;
    let provisioned = false;
    let step: MfaSignInStep;
    if (found?.memberStatus) {
      if (found.memberStatus !== MemberStatus.ACTIVE) {
        throw await this.refused(config, 'inactive_member', `${email} is suspended in this organization: ask an admin`, {
          subject: email,
          userId: found.userId,
        });
      }
      userId = found.userId;
      await this.protection.assertNotLockedUntil(config.organizationId, userId, found.lockedUntil);
      step = await this.mfa.signInStepOf(userId, config.organizationId, found.mfaEnabled, found.mfaRequirement);
    } else {
      if (!config.autoProvisionUsers) {
        throw await this.refused(
          config,
          'not_provisioned',
          `${email} is not a member of this organization, and its identity provider does not create accounts: ask an admin for an invitation`,
          { subject: email, userId: found?.userId ?? null },
        );
      }
      const groupRole = config.attributeMapping.groupRoles.find(({ group }) => identity.groups.includes(group));
      const added = await this.members.add({
        organizationId: config.organizationId,
        email,
        name: identity.name ?? null,
        roleId: groupRole?.roleId ?? config.defaultRoleId,
      });
      userId = added.userId;
      provisioned = true;
      await this.protection.assertNotLocked(config.organizationId, userId);
      step = await this.mfa.signInStep(userId, config.organizationId);
    }
    if (step !== 'none') {
      const mfaToken = `${MFA_CHALLENGE_PREFIX}${randomBytes(32).toString('base64url')}`;
      const expiresAt = Date.now() + MFA_CHALLENGE_TTL_MS;
      const pending: PendingMfaChallenge = {
        userId,
        organizationId: config.organizationId,
        ssoConfigId: config.id,
        providerType: config.providerType,
        provisioned,
        enrollmentRequired: step === 'enroll',
        expiresAt,
      };
      await this.challenges.put(`mfa:${mfaToken}`, pending, MFA_CHALLENGE_TTL_MS);
      return {
        kind: 'mfa_required',
        mfaToken,
        enrollmentRequired: step === 'enroll',
        expiresAt: new Date(expiresAt),
        userId,
        organizationId: config.organizationId,
        provisioned,
      };
    }
    return this.startSession(config, userId, provisioned, client);
  }

  /** The session of a sign-in that has passed every check, and its fact. */
  async startSession(
    source: SignInSource,
    userId: string,
    provisioned: boolean,
    client: ClientInfo,
    mfa?: 'totp' | 'recovery_code',
  ): Promise<SsoSignedIn> {
    // The session and its login fact are written together: a session nobody hears of cannot exist.
    const signedIn = await this.sessions.start(userId, source.organizationId, client, (manager, sessionId) =>
      this.outbox.add(manager, {
        type: 'identity.sso.login_succeeded',
        payload: {
          organizationId: source.organizationId,
          userId,
          ssoConfigId: source.id,
          providerType: source.providerType,
          sessionId,
          provisioned,
          ...(mfa ? { mfa } : {}),
          ...(client?.ip ? { ip: client.ip } : {}),
        },
      }),
    );
    await this.protection.succeeded(source.organizationId, userId);
    return { kind: 'signed_in', ...signedIn, userId, organizationId: source.organizationId, provisioned };
  }

  /**
   * States the refusal as a fact, and answers the error to send: UNAUTHENTICATED, or FORBIDDEN
   * for a person known but not let in. A refusal that names a member counts towards their lock-out.
   */
  async refused(
    config: SignInSource,
    reason: SsoLoginFailureReason,
    detail: string,
    who: { subject?: string | null; userId?: string | null } = {},
    client: ClientInfo = NO_CLIENT,
  ): Promise<CodedError> {
    await this.dataSource.transaction((manager) =>
      this.outbox.add(manager, {
        type: 'identity.sso.login_failed',
        payload: {
          organizationId: config.organizationId,
          ssoConfigId: config.id,
          providerType: config.providerType,
          reason,
          detail: detail.slice(0, 500),
          subject: who.subject ?? null,
          userId: who.userId ?? null,
        },
      }),
    );
    // A wrong MFA code is counted by the MFA sign-in itself, which says whether it locked the member out.
    if (who.userId && reason !== 'not_provisioned' && reason !== 'mfa_code_invalid')
      await this.protection.failedForMember(config.organizationId, who.userId, client.ip);
    return reason === 'not_provisioned' || reason === 'inactive_member'
      ? new ForbiddenError(detail, { reason })
      : new UnauthenticatedError(detail, { reason });
  }
}
