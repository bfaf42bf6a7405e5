import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { SsoProviderType } from '../entities/sso-config.entity';
import { SsoAttributeMapping } from './sso-attribute-mapping.type';
import { SsoCertificate } from './sso-certificate.type';

registerEnumType(SsoProviderType, {
  name: 'SsoProviderType',
  description: 'How an identity provider speaks.',
  valuesConfig: {
    SAML: { description: 'SAML 2.0: AuraLink is the service provider, the identity provider signs assertions.' },
    OIDC: { description: 'OpenID Connect: authorization code with PKCE; the identity provider signs ID tokens.' },
  },
});

@ObjectType('SsoConfig', {
  description:
    "An organization's single sign-on configuration: the identity provider its people sign in with, and what a sign-in gives them. Its OIDC client secret is never shown.",
})
export class SsoConfigType {
  @Field(() => ID, { description: 'SSO configuration id, `sso_…`.' })
  id: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => SsoProviderType)
  providerType: SsoProviderType;

  @Field(() => String, { description: 'What the organization calls the provider (Okta, Azure AD, Google Workspace).' })
  providerName: string;

  @Field(() => Boolean, { description: 'Whether sign-in through it is open; a disabled one is refused as if it did not exist.' })
  enabled: boolean;

  @Field(() => String, { nullable: true, description: 'SAML: the identity provider’s entity id (the `Issuer` of its responses).' })
  samlEntityId: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'SAML: where sign-in requests go (the HTTP-Redirect or HTTP-POST single sign-on service).',
  })
  samlSsoUrl: string | null;

  @Field(() => [SsoCertificate], {
    description: 'SAML: the certificates a response may be signed with; several while the identity provider rotates its key.',
  })
  samlCertificates: SsoCertificate[];

  @Field(() => Boolean, { description: 'A certificate has expired or expires within 30 days.' })
  certificateExpiresSoon: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'OIDC: the issuer URL; its discovery document is at `/.well-known/openid-configuration`.',
  })
  oidcIssuer: string | null;

  @Field(() => String, { nullable: true, description: 'OIDC: the client id AuraLink is registered under.' })
  oidcClientId: string | null;

  @Field(() => Boolean, { description: 'OIDC: whether a client secret is stored (it is stored encrypted and never shown).' })
  clientSecretSet: boolean;

  @Field(() => Boolean, { description: 'Whether someone the identity provider vouches for who has no account here gets one.' })
  autoProvisionUsers: boolean;

  @Field(() => String, {
    description: 'The system role a person signing in for the first time gets (`admin`, `billing_manager`, `member` or `guest`).',
  })
  defaultRole: string;

  @Field(() => SsoAttributeMapping)
  attributeMapping: SsoAttributeMapping;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date)
  updatedAt: Date;
}
