import { ArrayMaxSize, IsOptional, MaxLength, ValidateNested } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { RequiredSingleLineText, SingleLineText } from '../../../platform/validation';
import { MAX_METADATA_BYTES } from '../services/saml-metadata';
import { SsoAttributeMappingInput } from './sso-attribute-mapping.input';

@InputType({
  description:
    'Changes to a single sign-on configuration; omitted fields stay as they are. The provider type cannot change: create another configuration.',
})
export class UpdateSsoConfigInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @RequiredSingleLineText(100)
  providerName?: string;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  enabled?: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'SAML: new metadata XML; fills `samlEntityId`, `samlSsoUrl` and `samlCertificates` where those are not given.',
  })
  @IsOptional()
  @MaxLength(MAX_METADATA_BYTES, { message: `must be at most ${MAX_METADATA_BYTES / 1024} KB` })
  metadataXml?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @SingleLineText(1024)
  samlEntityId?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @SingleLineText(2048)
  samlSsoUrl?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Replaces the certificates (at most 5): give the old and the new one while the provider rotates.',
  })
  @IsOptional()
  @ArrayMaxSize(5, { message: 'must have at most 5 certificates' })
  @MaxLength(16_384, { each: true, message: 'must be at most 16384 characters each' })
  samlCertificates?: string[] | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @SingleLineText(2048)
  oidcIssuer?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @SingleLineText(512)
  oidcClientId?: string | null;

  @Field(() => String, { nullable: true, description: 'OIDC: a new client secret (stored encrypted); null removes it.' })
  @IsOptional()
  @SingleLineText(1024)
  clientSecret?: string | null;

  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  autoProvisionUsers?: boolean;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @RequiredSingleLineText(64)
  defaultRole?: string;

  @Field(() => SsoAttributeMappingInput, { nullable: true, description: 'Replaces the whole mapping.' })
  @IsOptional()
  @ValidateNested()
  attributeMapping?: SsoAttributeMappingInput | null;
}
