import { ArrayMaxSize, IsOptional, MaxLength, ValidateNested } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { RequiredSingleLineText, SingleLineText } from '../../../platform/validation';
import { SsoProviderType } from '../entities/sso-config.entity';
import { MAX_METADATA_BYTES } from '../services/saml-metadata';
import { SsoAttributeMappingInput } from './sso-attribute-mapping.input';

@InputType({
  description:
    'A single sign-on configuration. SAML needs the entity id, SSO URL and a certificate (or `metadataXml`, which gives all three); OIDC needs the issuer and client id.',
})
export class CreateSsoConfigInput {
  @Field(() => ID, { description: "Your token's organization." })
  organizationId: string;

  @Field(() => SsoProviderType)
  providerType: SsoProviderType;

  @Field(() => String, { description: 'What the organization calls the provider (at most 100 characters).' })
  @RequiredSingleLineText(100)
  providerName: string;

  @Field(() => Boolean, { defaultValue: true, description: 'Whether sign-in through it is open.' })
  enabled: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      'SAML: the identity provider’s metadata XML (at most 256 KB); fills `samlEntityId`, `samlSsoUrl` and `samlCertificates` where those are not given.',
  })
  @IsOptional()
  @MaxLength(MAX_METADATA_BYTES, { message: `must be at most ${MAX_METADATA_BYTES / 1024} KB` })
  metadataXml?: string | null;

  @Field(() => String, { nullable: true, description: 'SAML: the identity provider’s entity id (at most 1024 characters).' })
  @IsOptional()
  @SingleLineText(1024)
  samlEntityId?: string | null;

  @Field(() => String, { nullable: true, description: 'SAML: the single sign-on URL, https (http only on this machine).' })
  @IsOptional()
  @SingleLineText(2048)
  samlSsoUrl?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'SAML: the signing certificates, PEM, at most 5 (several while the provider rotates its key).',
  })
  @IsOptional()
  @ArrayMaxSize(5, { message: 'must have at most 5 certificates' })
  @MaxLength(16_384, { each: true, message: 'must be at most 16384 characters each' })
  samlCertificates?: string[] | null;

  @Field(() => String, { nullable: true, description: 'OIDC: the issuer URL, https (http only on this machine).' })
  @IsOptional()
  @SingleLineText(2048)
  oidcIssuer?: string | null;

  @Field(() => String, { nullable: true, description: 'OIDC: the client id AuraLink is registered under (at most 512 characters).' })
  @IsOptional()
  @SingleLineText(512)
  oidcClientId?: string | null;

  @Field(() => String, { nullable: true, description: 'OIDC: the client secret; stored encrypted, never shown again.' })
  @IsOptional()
  @SingleLineText(1024)
  clientSecret?: string | null;

  @Field(() => Boolean, { defaultValue: false, description: 'Give someone the provider vouches for an account here on first sign-in.' })
  autoProvisionUsers: boolean;

  @Field(() => String, {
    defaultValue: 'member',
    description: 'The system role of a person signing in for the first time: `admin`, `billing_manager`, `member` or `guest`.',
  })
  @RequiredSingleLineText(64)
  defaultRole: string;

  @Field(() => SsoAttributeMappingInput, { nullable: true, description: 'Omitted: `email`, `name`, `groups`, no group roles.' })
  @IsOptional()
  @ValidateNested()
  attributeMapping?: SsoAttributeMappingInput | null;
}
