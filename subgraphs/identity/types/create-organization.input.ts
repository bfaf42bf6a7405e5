import { IsOptional, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { RequiredSingleLineText } from '../../../platform/validation';
import { SLUG_PATTERN, SLUG_RULE } from '../services/organization.service';

@InputType({ description: 'A new organization. Its creator becomes its first member.' })
export class CreateOrganizationInput {
  @Field(() => String, { description: 'At most 200 characters.' })
  @RequiredSingleLineText(200)
  name: string;

  @Field(() => String, { nullable: true, description: 'Derived from the name when omitted.' })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: SLUG_RULE })
  slug?: string;
}
