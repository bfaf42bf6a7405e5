import { IsOptional } from 'class-validator';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PersonalData } from '../../../platform/personal-data/personal-data-directive';
import { MultiLineText } from '../../../platform/validation';
import type { AccessReviewEntry } from '../entities/access-review.entity';
import type { AccessReviewView } from '../services/access-review.service';
import { ComplianceUserReference } from './federated-entities.type';

export enum AccessReviewStatus {
  IN_PROGRESS = 'in_progress',
  COMPLETED = 'completed',
}
export enum AccessReviewDecisionValue {
  KEPT = 'kept',
  REVOKE_REQUESTED = 'revoke_requested',
}
registerEnumType(AccessReviewStatus, {
  name: 'AccessReviewStatus',
  valuesConfig: {
    IN_PROGRESS: { description: 'Started; entries may be decided.' },
    COMPLETED: { description: 'Every entry decided; the decisions are final.' },
  },
});
registerEnumType(AccessReviewDecisionValue, {
  name: 'AccessReviewDecision',
  valuesConfig: {
    KEPT: { description: 'The member keeps the role.' },
    REVOKE_REQUESTED: { description: 'The role is to go: authz takes it away once the review is completed.' },
  },
});

@ObjectType('AccessReviewEntry', { description: 'One role a member held when the review started, and the reviewer’s decision about it.' })
export class AccessReviewEntryType {
  @Field(() => ID, { description: '`arve_…`' })
  id: string;

  @Field(() => ID)
  reviewId: string;

  @Field(() => ID)
  userId: string;

  @Field(() => ComplianceUserReference, { description: 'The member, as identity knows them now.' })
  user: ComplianceUserReference;

  @Field(() => ID, { description: '`role_owner`, `role_admin`, … or one of the organization’s own.' })
  roleId: string;

  @Field(() => Date, { nullable: true, description: 'The assignment’s expiry when the review started; null: none.' })
  expiresAt: Date | null;

  @Field(() => AccessReviewDecisionValue, { nullable: true, description: 'Null: not decided yet.' })
  decision: AccessReviewDecisionValue | null;

  @PersonalData('activity')
  @Field(() => String, { nullable: true, description: 'Why, as the reviewer wrote it.' })
  note: string | null;

  @Field(() => ID, { nullable: true })
  decidedById: string | null;

  @Field(() => Date, { nullable: true })
  decidedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When authz took the role away on this entry’s revocation request.' })
  revokedAt: Date | null;
}

@ObjectType('AccessReview', {
  description: 'An access review (SOC 2 CC6.2, CC6.3): every role each member held when it started, each kept or its revocation requested.',
})
export class AccessReviewType {
  @Field(() => ID, { description: '`arv_…`' })
  id: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => AccessReviewStatus)
  status: AccessReviewStatus;

  @Field(() => ID)
  startedById: string;

  @Field(() => Date, { description: 'The moment of the snapshot.' })
  startedAt: Date;

  @Field(() => ID, { nullable: true })
  completedById: string | null;

  @Field(() => Date, { nullable: true })
  completedAt: Date | null;

  @Field(() => Int)
  entryCount: number;

  @Field(() => Int)
  decidedCount: number;

  @Field(() => Int)
  revokeRequestedCount: number;
}

@InputType({ description: 'A reviewer’s decision about one entry of an open access review.' })
export class DecideAccessReviewEntryInput {
  @Field(() => ID)
  entryId: string;

  @Field(() => AccessReviewDecisionValue)
  decision: AccessReviewDecisionValue;

  @Field(() => String, { nullable: true, description: 'Why: at most 1,000 characters.' })
  @IsOptional()
  @MultiLineText(1000)
  note?: string | null;
}

export function accessReviewTypeOf(review: AccessReviewView): AccessReviewType {
  return {
    id: review.id,
    organizationId: review.organizationId,
    status: review.status as AccessReviewStatus,
    startedById: review.startedById,
    startedAt: review.startedAt,
    completedById: review.completedById,
    completedAt: review.completedAt,
    entryCount: review.entryCount,
    decidedCount: review.decidedCount,
    revokeRequestedCount: review.revokeRequestedCount,
  };
}

export function accessReviewEntryTypeOf(entry: AccessReviewEntry): AccessReviewEntryType {
  return {
    id: entry.id,
    reviewId: entry.reviewId,
    userId: entry.userId,
    user: { id: entry.userId },
    roleId: entry.roleId,
    expiresAt: entry.expiresAt,
    decision: entry.decision as AccessReviewDecisionValue | null,
    note: entry.note,
    decidedById: entry.decidedById,
    decidedAt: entry.decidedAt,
    revokedAt: entry.revokedAt,
  };
}
