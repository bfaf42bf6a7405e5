import type { SubgraphDependencies } from '../../../platform/subgraph';
import { secretBoxFor } from '../../../platform/secrets';
import type { AccessControl } from '../../../platform/authorization/access-control';
import { createEventBus } from '../../../platform/events';
import type { EventBus } from '../../../platform/events';
import { createLogger } from '../../../platform/logger';
import { Outbox } from '../../../platform/outbox/outbox';
import { AdminIpAllowlistService } from './admin-ip-allowlist.service';
import { ApiKeyService } from './api-key.service';
import { InvitationService } from './invitation.service';
import { MemberService } from './member.service';
import { MfaSignInService } from './mfa-sign-in.service';
import { MfaService } from './mfa.service';
import { OrganizationService } from './organization.service';
import { SessionPolicyService } from './session-policy.service';
import { SessionService } from './session.service';
import { SessionTokenService } from './session-token.service';
import { SigningKeyService } from './signing-key.service';
import { OIDC_CALLBACK_PATH, OidcSignInService } from './oidc-sign-in.service';
import { SamlSignInService } from './saml-sign-in.service';
import { SignInProtectionService } from './sign-in-protection.service';
import { createSignInStateStore } from './sign-in-state.store';
import type { SignInStateStore } from './sign-in-state.store';
import { SsoConfigService } from './sso-config.service';
import { SsoSignInService } from './sso-sign-in.service';
import { UserService } from './user.service';

export interface IdentityServices {
  organizations: OrganizationService;
  users: UserService;
  members: MemberService;
  invitations: InvitationService;
  signingKeys: SigningKeyService;
  sessionTokens: SessionTokenService;
  sessions: SessionService;
  sessionPolicies: SessionPolicyService;
  apiKeys: ApiKeyService;
  adminIpAllowlists: AdminIpAllowlistService;
  ssoConfigs: SsoConfigService;
  oidcSignIn: OidcSignInService;
  samlSignIn: SamlSignInService;
  mfa: MfaService;
  mfaSignIn: MfaSignInService;
  /** Failed sign-ins counted per address and member, lock-outs; closed with the server. */
  signInProtection: SignInProtectionService;
  /** Sign-ins under way (Redis, or memory); closed with the server. */
  signInStates: SignInStateStore;
  events: EventBus;
}

/**
 * Membership changes state their facts in identity's outbox (authz provisions roles from
 * them); `messaging` lets a change wait until authz has applied it. Without it (a
 * command-line tool) nothing waits, and the running system's relay publishes the facts.
 */
export function createIdentityServices(
  dependencies: Pick<SubgraphDependencies, 'config' | 'dataSource'> & { access: Pick<AccessControl, 'authorizer'> } & Partial<
      Pick<SubgraphDependencies, 'events' | 'messaging'>
    >,
): IdentityServices {
  const { config, dataSource, access } = dependencies;
  const users = new UserService(dataSource);
  const secrets = secretBoxFor(config);
  const signingKeys = new SigningKeyService(dataSource, secrets);
  const outbox = new Outbox(dependencies.messaging);
  const events = dependencies.events ?? createEventBus(undefined, createLogger('silent'));
  const members = new MemberService(dataSource, users, outbox, events, access.authorizer);
  const sessionTokens = new SessionTokenService(config, signingKeys, users, members);
  const sessionPolicies = new SessionPolicyService(dataSource, outbox);
  const sessions = new SessionService(dataSource, sessionTokens, outbox, access.authorizer, sessionPolicies);
  const ssoConfigs = new SsoConfigService(dataSource, secrets);
  const signInStates = createSignInStateStore(config.redisUrl, `${config.events.streamPrefix}:sign-in`);
  const mfa = new MfaService(dataSource, secrets, outbox, access.authorizer, config.signIn.mfaIssuer);
  const signInProtection = new SignInProtectionService(
    dataSource,
    outbox,
    config.signIn,
    config.redisUrl,
    `${config.rateLimit.keyPrefix}:sign-in`,
  );
  const ssoSignIn = new SsoSignInService(dataSource, users, members, sessions, outbox, mfa, signInProtection, signInStates);
  return {
    organizations: new OrganizationService(dataSource, outbox),
    users,
    members,
    invitations: new InvitationService(dataSource, users, members, access.authorizer),
    events,
    signingKeys,
    sessionTokens,
    sessions,
    sessionPolicies,
    apiKeys: new ApiKeyService(dataSource, outbox, access.authorizer, members),
    adminIpAllowlists: new AdminIpAllowlistService(dataSource, outbox),
    ssoConfigs,
    oidcSignIn: new OidcSignInService(ssoConfigs, ssoSignIn, signInStates, `${config.auth.publicUrl}${OIDC_CALLBACK_PATH}`),
    samlSignIn: new SamlSignInService(ssoConfigs, ssoSignIn, signInStates, config.auth.publicUrl),
    mfa,
    mfaSignIn: new MfaSignInService(mfa, ssoSignIn, signInProtection, signInStates, users),
    signInProtection,
    signInStates,
  };
}
