import type { DataSource } from 'typeorm';
import type { ClientInfo } from '../../../platform/client-info';
import { ForbiddenError, UnauthenticatedError } from '../../../platform/errors';
import type { CodedError } from '../../../platform/errors';
import type { SsoLoginFailureReason } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';
import { MemberStatus, OrganizationMember } from '../entities/organization-member.entity';
import type { SsoConfig } from '../entities/sso-config.entity';
import type { MemberService } from './member.service';
import type { SessionService, SignedIn } from './session.service';
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
  userId: string;
  organizationId: string;
  /** The sign-in made the account or the membership. */
  provisioned: boolean;
}

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
 * starts. Each outcome is a fact on identity's outbox (`identity.sso.login_succeeded`,
 * `identity.sso.login_failed`), which the audit log stores.
 */
export class SsoSignInService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserService,
    private readonly members: MemberService,
    private readonly sessions: SessionService,
    private readonly outbox: Outbox,
  ) {}

  /** `client`: the browser's address and user agent, kept with the session and the address in the sign-in fact. */
  async complete(config: SsoConfig, identity: AssertedIdentity, client?: ClientInfo): Promise<SsoSignedIn> {
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
    const user = await this.users.findByEmail(email);
    const membership = user
      ? await this.dataSource.getRepository(OrganizationMember).findOneBy({ organizationId: config.organizationId, userId: user.id })
      : null;
    let userId: string;
    let provisioned = false;
    if (membership) {
      if (membership.status !== MemberStatus.ACTIVE) {
        throw await this.refused(config, 'inactive_member', `${email} is suspended in this organization: ask an admin`, {
          subject: email,
          userId: membership.userId,
        });
      }
      userId = membership.userId;
    } else {
      if (!config.autoProvisionUsers) {
        throw await this.refused(
          config,
          'not_provisioned',
          `${email} is not a member of this organization, and its identity provider does not create accounts: ask an admin for an invitation`,
          { subject: email, userId: user?.id ?? null },
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
    }
    const signedIn = await this.sessions.start(userId, config.organizationId, client);
    await this.dataSource.transaction((manager) =>
      this.outbox.add(manager, {
        type: 'identity.sso.login_succeeded',
        payload: {
          organizationId: config.organizationId,
          userId,
          ssoConfigId: config.id,
          providerType: config.providerType,
          sessionId: signedIn.sessionId,
          provisioned,
          ...(client?.ip ? { ip: client.ip } : {}),
        },
      }),
    );
    return { ...signedIn, userId, organizationId: config.organizationId, provisioned };
  }

  /** States the refusal as a fact, and answers the error to send: UNAUTHENTICATED, or FORBIDDEN for a person known but not let in. */
  async refused(
    config: SsoConfig,
    reason: SsoLoginFailureReason,
    detail: string,
    who: { subject?: string | null; userId?: string | null } = {},
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
    return reason === 'not_provisioned' || reason === 'inactive_member'
      ? new ForbiddenError(detail, { reason })
      : new UnauthenticatedError(detail, { reason });
  }
}
