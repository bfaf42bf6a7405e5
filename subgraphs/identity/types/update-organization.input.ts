import { IsOptional, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { RequiredSingleLineText } from '../../../platform/validation';
import { SLUG_PATTERN, SLUG_RULE } from '../services/organization.service';

@InputType({ description: 'Changes to an organization; omitted fields stay as they are.' })
export class UpdateOrganizationInput {
  @Field(() => String, { nullable: true, description: 'At most 200 characters.' })
  @IsOptional()
  @RequiredSingleLineText(200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: SLUG_RULE })
  slug?: string;
}
