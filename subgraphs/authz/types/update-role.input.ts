import { ArrayMaxSize, ArrayNotEmpty, IsOptional, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { MultiLineText, RequiredSingleLineText } from '../../../platform/validation';
import { MAX_ROLE_DESCRIPTION, MAX_ROLE_NAME, MAX_ROLE_PERMISSIONS } from '../services/role.service';

@InputType({ description: 'Changes to a custom role; omitted fields stay as they are. `permissions` replaces the whole list.' })
export class UpdateRoleInput {
  @Field(() => String, { nullable: true, description: `At most ${MAX_ROLE_NAME} characters, unique in the organization.` })
  @IsOptional()
  @RequiredSingleLineText(MAX_ROLE_NAME)
  name?: string | null;

  @Field(() => String, { nullable: true, description: `At most ${MAX_ROLE_DESCRIPTION} characters; null clears it.` })
  @IsOptional()
  @MultiLineText(MAX_ROLE_DESCRIPTION)
  description?: string | null;

  @Field(() => [String], { nullable: true, description: `1 to ${MAX_ROLE_PERMISSIONS}.` })
  @IsOptional()
  @ArrayNotEmpty({ message: 'a role needs at least one permission' })
  @ArrayMaxSize(MAX_ROLE_PERMISSIONS, { message: `at most ${MAX_ROLE_PERMISSIONS} permissions` })
  @MaxLength(64, { each: true, message: 'each must be at most 64 characters' })
  permissions?: string[] | null;
}
