import { Matches } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { NOTICE_VERSION_PATTERN, PURPOSE_PATTERN } from '../services/consent-rules';
import { ConsentSource } from './enums';

@InputType({ description: 'A person consents to a purpose, under a version of the notice.' })
export class GrantConsentInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Someone else, a member of your organization (needs `compliance:manage`; recorded as an IMPORT). Absent: yourself.',
  })
  userId?: string | null;

  @Field(() => String, { description: 'A short key: lower-case letters, digits and underscores, at most 64 (`call_recording`).' })
  @Matches(PURPOSE_PATTERN, { message: 'must be a purpose key such as call_recording' })
  purpose: string;

  @Field(() => String, {
    description: 'The version of the notice shown (`2026-01`): letters, digits, dots, dashes, underscores, at most 64.',
  })
  @Matches(NOTICE_VERSION_PATTERN, { message: 'must be a notice version such as 2026-01' })
  noticeVersion: string;

  @Field(() => ConsentSource, { nullable: true, description: 'API unless said; IMPORT (and only IMPORT) for someone else.' })
  source?: ConsentSource | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Only for an IMPORT: when the records say it was given (not in the future). Otherwise now.',
  })
  at?: Date | null;
}
