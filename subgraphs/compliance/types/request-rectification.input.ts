import { IsNotEmpty, Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { MultiLineText } from '../../../platform/validation';
import { Regulation } from './compliance-request-enums';

@InputType({
  description: 'A request to correct a person’s data (GDPR Art. 16, HIPAA 164.526). An owner or admin approves it once corrected.',
})
export class RequestRectificationInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => ID, { nullable: true, description: 'A member or former member (owners and admins, `compliance:manage`). Absent: yourself.' })
  userId?: string | null;

  @Field(() => Regulation, { nullable: true, description: 'Absent: GDPR.' })
  regulation?: Regulation | null;

  @Field(() => String, { description: 'Which data is wrong and how it should read: at most 2,000 characters.' })
  @IsNotEmpty({ message: 'must not be empty' })
  @Matches(/\S/, { message: 'must not be blank' })
  @MultiLineText(2000)
  details: string;
}
