import { Field, ID, ObjectType } from 'type-graphql';
import { PersonalData } from '../../../platform/personal-data/personal-data-directive';
import type { LegalHold } from '../entities/legal-hold.entity';
import { ComplianceUserReference } from './federated-entities.type';

@ObjectType('LegalHold', {
  description: 'A legal hold on one person’s data, or on the whole organization’s: while active, nothing it covers may be deleted.',
})
export class LegalHoldType {
  @Field(() => ID, { description: '`hold_…`' })
  id: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => ID, { nullable: true, description: 'The person whose data is held; null: the whole organization’s.' })
  userId: string | null;

  @Field(() => ComplianceUserReference, { nullable: true, description: 'The person whose data is held, as identity knows them now.' })
  user: ComplianceUserReference | null;

  @PersonalData('activity')
  @Field(() => String, { description: 'Why it was placed, as its author wrote it (it may name the person).' })
  reason: string;

  @Field(() => String, { nullable: true, description: 'The matter it is for (a case or ticket number).' })
  reference: string | null;

  @Field(() => Boolean, { description: 'True until it is released.' })
  active: boolean;

  @Field(() => ID)
  placedById: string;

  @Field(() => Date)
  placedAt: Date;

  @Field(() => Date, { nullable: true })
  releasedAt: Date | null;

  @Field(() => ID, { nullable: true })
  releasedById: string | null;

  @PersonalData('activity')
  @Field(() => String, { nullable: true, description: 'Why it was released, as its author wrote it.' })
  releaseNote: string | null;
}

export function legalHoldTypeOf(row: LegalHold): LegalHoldType {
  return {
    id: row.id,
    organizationId: row.organizationId,
    userId: row.userId,
    user: row.userId ? { id: row.userId } : null,
    reason: row.reason,
    reference: row.reference,
    active: row.releasedAt === null,
    placedById: row.placedById,
    placedAt: row.placedAt,
    releasedAt: row.releasedAt,
    releasedById: row.releasedById,
    releaseNote: row.releaseNote,
  };
}
