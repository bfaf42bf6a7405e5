import { IsOptional } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { MultiLineText } from '../../../platform/validation';

@InputType({ description: 'A request to erase a person’s data in your organization (GDPR Art. 17). An owner or admin approves it first.' })
export class RequestDataDeletionInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => ID, { nullable: true, description: 'A member or former member (owners and admins, `compliance:manage`). Absent: yourself.' })
  userId?: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      'The categories of personal data to erase (`identity`, `contact`, `network`, `communications`, `activity`, `consent`). Absent or empty: all.',
  })
  categories?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Anything the person adds: at most 2,000 characters.' })
  @IsOptional()
  @MultiLineText(2000)
  details?: string | null;
}
