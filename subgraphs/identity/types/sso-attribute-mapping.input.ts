import { ArrayMaxSize, IsOptional, ValidateNested } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { RequiredSingleLineText } from '../../../platform/validation';
import { SsoGroupRoleInput } from './sso-group-role.input';

@InputType({ description: 'Which SAML attribute or OIDC claim holds what; omitted names take their default.' })
export class SsoAttributeMappingInput {
  @Field(() => String, { nullable: true, description: 'Default `email`.' })
  @IsOptional()
  @RequiredSingleLineText(256)
  emailAttribute?: string;

  @Field(() => String, { nullable: true, description: 'Default `name`.' })
  @IsOptional()
  @RequiredSingleLineText(256)
  nameAttribute?: string;

  @Field(() => String, { nullable: true, description: 'Default `groups`.' })
  @IsOptional()
  @RequiredSingleLineText(256)
  groupsAttribute?: string;

  @Field(() => [SsoGroupRoleInput], { nullable: true, description: 'Groups that give a role other than the default one (at most 50).' })
  @IsOptional()
  @ArrayMaxSize(50, { message: 'must have at most 50 groups' })
  @ValidateNested({ each: true })
  groupRoles?: SsoGroupRoleInput[];
}
