import { IsNotEmpty, IsOptional, Matches, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { SLUG_PATTERN } from '../services/organization.service';

const NOT_BLANK = /\S/;
const SLUG_RULE = 'must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen';

@InputType({ description: 'A new organization. Its creator becomes its first member.' })
export class CreateOrganizationInput {
  @Field(() => String)
  @IsNotEmpty({ message: 'must not be empty' })
  @Matches(NOT_BLANK, { message: 'must not be blank' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  name: string;

  @Field(() => String, { nullable: true, description: 'Derived from the name when omitted.' })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: SLUG_RULE })
  slug?: string;
}

@InputType({ description: 'Changes to an organization; omitted fields stay as they are.' })
export class UpdateOrganizationInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsNotEmpty({ message: 'must not be empty' })
  @Matches(NOT_BLANK, { message: 'must not be blank' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: SLUG_RULE })
  slug?: string;
}
