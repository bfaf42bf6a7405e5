import { IsNotEmpty, IsOptional, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { MultiLineText, RequiredSingleLineText } from '../../../platform/validation';

@InputType({ description: 'A legal hold on one person’s data in your organization, or on the whole organization’s.' })
export class PlaceLegalHoldInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => ID, { nullable: true, description: 'A member, or a former member, of your organization. Absent: the whole organization.' })
  userId?: string | null;

  @Field(() => String, { description: 'Why: at most 1,000 characters.' })
  @IsNotEmpty({ message: 'must not be empty' })
  @Matches(/\S/, { message: 'must not be blank' })
  @MultiLineText(1000)
  reason: string;

  @Field(() => String, { nullable: true, description: 'The matter it is for (a case or ticket number): one line, at most 200 characters.' })
  @IsOptional()
  @RequiredSingleLineText(200)
  reference?: string | null;
}
