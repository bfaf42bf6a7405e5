import { Field, ID, ObjectType } from 'type-graphql';
import { PersonalData } from '../../../platform/personal-data/personal-data-directive';
import type { ConsentRecord } from '../entities/consent-record.entity';
import { ConsentSource, ConsentState } from './enums';
import { ComplianceUserReference } from './federated-entities.type';

@ObjectType('ConsentRecord', {
  description: 'One grant or withdrawal of a person’s consent to one purpose. Records are never changed; the latest is the current state.',
})
export class ConsentRecordType {
  @Field(() => ID, { description: '`cns_…`' })
  id: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => ID, { description: 'The person the consent is about (`user_…`).' })
  userId: string;

  @Field(() => ComplianceUserReference, { description: 'The person, as identity knows them now.' })
  user: ComplianceUserReference;

  @Field(() => String, {
    description: 'What it is for: a short key such as `call_recording`, `ai_transcription`, `marketing`, `analytics`.',
  })
  purpose: string;

  @PersonalData('consent')
  @Field(() => ConsentState)
  state: ConsentState;

  @PersonalData('consent')
  @Field(() => String, {
    nullable: true,
    description:
      'The version of the notice the person was shown; a withdrawal names the one of the consent it withdraws (null if there was none).',
  })
  noticeVersion: string | null;

  @Field(() => ConsentSource)
  source: ConsentSource;

  @PersonalData('consent')
  @Field(() => Date, { description: 'When the person gave or withdrew it.' })
  at: Date;

  @Field(() => ID, { description: 'Who recorded it: the person, or the owner or admin who imported it.' })
  recordedById: string;

  @Field(() => Date, { description: 'When it was recorded here.' })
  recordedAt: Date;
}

export function consentRecordTypeOf(row: ConsentRecord): ConsentRecordType {
  return {
    id: row.id,
    organizationId: row.organizationId,
    userId: row.userId,
    user: { id: row.userId },
    purpose: row.purpose,
    state: row.state,
    noticeVersion: row.noticeVersion,
    source: row.source,
    at: row.at,
    recordedById: row.recordedById,
    recordedAt: row.recordedAt,
  };
}
