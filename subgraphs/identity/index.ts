import { buildFederatedSchema } from '../../platform/federation';
import { defineSubgraph } from '../../platform/subgraph';
import { identityMigrations } from '../../migrations/identity';
import { OrganizationMember } from './entities/organization-member.entity';
import { Organization } from './entities/organization.entity';
import { SigningKey } from './entities/signing-key.entity';
import { SsoConfig } from './entities/sso-config.entity';
import { User } from './entities/user.entity';
import { createIdentityLoaders } from './loaders';
import type { IdentityLoaders } from './loaders';
import { Invitation } from './entities/invitation.entity';
import { AdminIpAllowlistResolver } from './resolvers/admin-ip-allowlist.resolver';
import { ApiKeyResolver } from './resolvers/api-key.resolver';
import { InvitationResolver } from './resolvers/invitation.resolver';
import { memberReference } from './resolvers/member.reference';
import { MemberResolver } from './resolvers/member.resolver';
import { MfaResolver } from './resolvers/mfa.resolver';
import { OrganizationEventResolver } from './resolvers/organization-event.resolver';
import { organizationReference } from './resolvers/organization.reference';
import { OrganizationResolver } from './resolvers/organization.resolver';
import { SessionPolicyResolver } from './resolvers/session-policy.resolver';
import { SessionResolver } from './resolvers/session.resolver';
import { SignInLockoutResolver } from './resolvers/sign-in-lockout.resolver';
import { SsoConfigResolver } from './resolvers/sso-config.resolver';
import { userReference } from './resolvers/user.reference';
import { UserResolver } from './resolvers/user.resolver';
import { createIdentityServices } from './services';
import { identityRoutes } from './routes';
import { OutboxMessage } from '../../platform/outbox/outbox-message.entity';
import { ProcessedEvent } from '../../platform/outbox/processed-event.entity';
import { identityRetentionConsumer } from './consumers/retention.consumer';
import type { IdentityServices } from './services';

export const identitySubgraph = defineSubgraph<IdentityServices, IdentityLoaders>({
  name: 'identity',
  storage: {
    schema: 'identity',
    entities: [Organization, User, OrganizationMember, Invitation, SigningKey, SsoConfig, OutboxMessage, ProcessedEvent],
    migrations: identityMigrations,
  },
  buildSchema: () =>
    buildFederatedSchema({
      name: 'identity',
      dataSubject: true,
      resolvers: [
        OrganizationResolver,
        UserResolver,
        MemberResolver,
        InvitationResolver,
        OrganizationEventResolver,
        ApiKeyResolver,
        SessionResolver,
        SessionPolicyResolver,
        AdminIpAllowlistResolver,
        SsoConfigResolver,
        MfaResolver,
        SignInLockoutResolver,
      ],
      referenceResolvers: {
        Organization: organizationReference,
        User: userReference,
        OrganizationMember: memberReference,
      },
    }),
  createServices: createIdentityServices,
  createLoaders: createIdentityLoaders,
  publishes: [
    'identity.organization.created',
    'identity.organization.renamed',
    'identity.member.added',
    'identity.member.removed',
    'identity.member.status_changed',
    'identity.session.revoked',
    'identity.admin_ip_allowlist.changed',
    'identity.api_key.created',
    'identity.api_key.revoked',
    'identity.api_key.used',
    'identity.sso.login_succeeded',
    'identity.sso.login_failed',
    'identity.mfa.changed',
    'identity.user.locked_out',
    'identity.user.unlocked',
    'retention.applied',
    'audit.mutation.recorded',
  ],
  consumers: () => [identityRetentionConsumer()],
  verificationKeys: (services) => services.signingKeys.verificationKey,
  apiKeys: (services) => (key) => services.apiKeys.verify(key),
  adminAllowlist: (services) => (organizationId) => services.adminIpAllowlists.get(organizationId),
  async background(services) {
    // Last-used times noted in memory are written when the server stops.
    return {
      close: () =>
        Promise.all([services.apiKeys.close(), services.signInStates.close(), services.signInProtection.close()]).then(() => undefined),
    };
  },
  routes: identityRoutes,
});

/** For the commands and the one-process runtime, which import a subgraph only through this file. */
export { createIdentityServices } from './services';
export type { IdentityServices } from './services';
export { SsoProviderType } from './entities/sso-config.entity';
export { OIDC_CALLBACK_PATH, OIDC_LOGIN_PATH } from './services/oidc-sign-in.service';
