import { Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { PURPOSE_PATTERN } from '../services/consent-rules';
import { ConsentSource } from './enums';

@InputType({ description: 'A person withdraws their consent to a purpose.' })
export class WithdrawConsentInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Someone else, a member of your organization (needs `compliance:manage`; recorded as an IMPORT). Absent: yourself.',
  })
  userId?: string | null;

  @Field(() => String, { description: 'The purpose key, as it was granted.' })
  @Matches(PURPOSE_PATTERN, { message: 'must be a purpose key such as call_recording' })
  purpose: string;

  @Field(() => ConsentSource, { nullable: true, description: 'API unless said; IMPORT (and only IMPORT) for someone else.' })
  source?: ConsentSource | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Only for an IMPORT: when the records say it was withdrawn (not in the future). Otherwise now.',
  })
  at?: Date | null;
}
