import { ArrayMaxSize, ArrayNotEmpty, IsOptional, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { MultiLineText, RequiredSingleLineText } from '../../../platform/validation';
import { MAX_ROLE_DESCRIPTION, MAX_ROLE_NAME, MAX_ROLE_PERMISSIONS } from '../services/role.service';

@InputType({ description: 'A custom role. You can only grant permissions you hold yourself.' })
export class CreateRoleInput {
  @Field(() => String, { description: `At most ${MAX_ROLE_NAME} characters, unique in the organization.` })
  @RequiredSingleLineText(MAX_ROLE_NAME)
  name: string;

  @Field(() => String, { nullable: true, description: `At most ${MAX_ROLE_DESCRIPTION} characters.` })
  @IsOptional()
  @MultiLineText(MAX_ROLE_DESCRIPTION)
  description?: string | null;

  @Field(() => [String], { description: `\`resource:action\`, such as \`members:read\` or \`billing:*\`; 1 to ${MAX_ROLE_PERMISSIONS}.` })
  @ArrayNotEmpty({ message: 'a role needs at least one permission' })
  @ArrayMaxSize(MAX_ROLE_PERMISSIONS, { message: `at most ${MAX_ROLE_PERMISSIONS} permissions` })
  @MaxLength(64, { each: true, message: 'each must be at most 64 characters' })
  permissions: string[];
}
