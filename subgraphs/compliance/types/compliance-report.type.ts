import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { ComplianceReport } from '../services/compliance-report.service';
import {
  CheckStatus,
  ComplianceStandard,
  RetentionActionValue,
  RetentionCategoryValue,
  actionValueOf,
  categoryValueOf,
} from './retention-enums';

@ObjectType('ComplianceCheck', { description: 'One requirement of the standard, as far as the figures show it.' })
export class ComplianceCheckType {
  @Field(() => String, { description: 'Where it comes from: `GDPR Art. 12(3)`, `45 CFR 164.312(b)`, `SOC 2 CC6.1`.' })
  reference: string;

  @Field(() => String)
  title: string;

  @Field(() => CheckStatus)
  status: CheckStatus;

  @Field(() => String)
  detail: string;
}

@ObjectType('DataSubjectRequestFigures', { description: 'Data-subject requests still open, and those past their due date.' })
export class DataSubjectRequestFiguresType {
  @Field(() => Int)
  open: number;

  @Field(() => Int)
  overdue: number;
}

@ObjectType('RetentionCoverage', { description: 'One data category: its policy (null: none, the data is kept) and its last real run.' })
export class RetentionCoverageType {
  @Field(() => RetentionCategoryValue)
  category: RetentionCategoryValue;

  @Field(() => Int, { nullable: true })
  keepDays: number | null;

  @Field(() => RetentionActionValue, { nullable: true })
  action: RetentionActionValue | null;

  @Field(() => Date, { nullable: true })
  lastAppliedAt: Date | null;

  @Field(() => Int, { nullable: true, description: 'Records the last real run deleted or archived.' })
  lastAffected: number | null;
}

@ObjectType('LegalHoldFigures')
export class LegalHoldFiguresType {
  @Field(() => Int, { description: 'Active holds.' })
  active: number;

  @Field(() => Boolean, { description: 'One of them holds the whole organization.' })
  organizationWide: boolean;

  @Field(() => Int, { description: 'People an active hold names.' })
  peopleHeld: number;
}

@ObjectType('AuditChainFigures', {
  description: 'The audit subgraph’s verification of the organization’s hash chain, when the report was made.',
})
export class AuditChainFiguresType {
  @Field(() => Boolean)
  valid: boolean;

  @Field(() => Int)
  checkedEvents: number;

  @Field(() => String, { nullable: true, description: 'The first problem: ALTERED, BROKEN_LINK, MISSING, TRUNCATED or BAD_CHECKPOINT.' })
  problemKind: string | null;

  @Field(() => String, { nullable: true })
  problem: string | null;
}

@ObjectType('AdoptionFigures', { description: 'How many active members use a sign-in protection.' })
export class AdoptionFiguresType {
  @Field(() => Int)
  members: number;

  @Field(() => Int, { nullable: true, description: 'Null: it cannot be measured (see `explanation`).' })
  adopted: number | null;

  @Field(() => Float, { nullable: true, description: '`adopted / members`, 0 to 1.' })
  ratio: number | null;

  @Field(() => String, { nullable: true, description: 'What the figures mean, or why they cannot be measured.' })
  explanation: string | null;
}

@ObjectType('AccessReviewFigures', {
  description: 'Access reviews of the organization (SOC 2 CC6.2, CC6.3) and who holds privileged roles, when the report was made.',
})
export class AccessReviewFiguresType {
  @Field(() => String, { description: 'What the figures cover.' })
  explanation: string;

  @Field(() => ID, { nullable: true, description: 'The last completed review; null: none yet.' })
  lastReviewId: string | null;

  @Field(() => Date, { nullable: true })
  lastCompletedAt: Date | null;

  @Field(() => ID, { nullable: true, description: 'Who completed the last review.' })
  lastReviewerId: string | null;

  @Field(() => Int, { nullable: true, description: 'Whole days since the last review was completed.' })
  daysSinceLastReview: number | null;

  @Field(() => Int, { description: 'How recent the last review must be: 90 days.' })
  intervalDays: number;

  @Field(() => Boolean, { description: 'A review was completed within the last `intervalDays` days.' })
  reviewedWithinInterval: boolean;

  @Field(() => Int, { description: 'Active members holding the owner or admin role.' })
  privilegedMembers: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Roles given or taken since the last review was completed (other than its own revocations); null: none completed.',
  })
  roleChangesSinceLastReview: number | null;

  @Field(() => Int, { description: 'Reviews started and not completed.' })
  inProgress: number;
}

@ObjectType('ComplianceReport', { description: 'The organization’s standing against one standard, from what the system holds now.' })
export class ComplianceReportType {
  @Field(() => ID)
  organizationId: string;

  @Field(() => String, { nullable: true, description: 'As identity last told compliance.' })
  organizationName: string | null;

  @Field(() => ComplianceStandard)
  standard: ComplianceStandard;

  @Field(() => Date)
  generatedAt: Date;

  @Field(() => [ComplianceCheckType])
  checks: ComplianceCheckType[];

  @Field(() => DataSubjectRequestFiguresType)
  requests: DataSubjectRequestFiguresType;

  @Field(() => [RetentionCoverageType], { description: 'Every category, with or without a policy.' })
  retention: RetentionCoverageType[];

  @Field(() => LegalHoldFiguresType)
  holds: LegalHoldFiguresType;

  @Field(() => AuditChainFiguresType, { nullable: true, description: 'Null when the audit subgraph did not answer.' })
  auditChain: AuditChainFiguresType | null;

  @Field(() => AdoptionFiguresType)
  mfa: AdoptionFiguresType;

  @Field(() => AdoptionFiguresType)
  sso: AdoptionFiguresType;

  @Field(() => AccessReviewFiguresType)
  accessReviews: AccessReviewFiguresType;
}

@ObjectType('ComplianceReportLink', { description: 'A link to the report as a PDF, made when it is downloaded.' })
export class ComplianceReportLinkType {
  @Field(() => String, { description: 'Works until `expiresAt`, for as long as you may read compliance.' })
  url: string;

  @Field(() => Date)
  expiresAt: Date;
}

const adoption = (figures: ComplianceReport['mfa']): AdoptionFiguresType => ({
  members: figures.members,
  adopted: figures.adopted,
  ratio: figures.adopted === null || figures.members === 0 ? null : figures.adopted / figures.members,
  explanation: figures.note,
});

export function complianceReportTypeOf(report: ComplianceReport): ComplianceReportType {
  return {
    organizationId: report.organizationId,
    organizationName: report.organizationName,
    standard: report.standard,
    generatedAt: report.generatedAt,
    checks: report.checks,
    requests: report.requests,
    retention: report.retention.map((row) => ({
      category: categoryValueOf(row.category),
      keepDays: row.keepDays,
      action: row.action ? actionValueOf(row.action) : null,
      lastAppliedAt: row.lastAppliedAt,
      lastAffected: row.lastAffected,
    })),
    holds: report.holds,
    auditChain: report.auditChain
      ? {
          valid: report.auditChain.valid,
          checkedEvents: report.auditChain.checkedEvents,
          problemKind: report.auditChain.problem?.kind ?? null,
          problem: report.auditChain.problem?.message ?? null,
        }
      : null,
    mfa: adoption(report.mfa),
    sso: adoption(report.sso),
    accessReviews: {
      explanation: report.accessReviews.note,
      lastReviewId: report.accessReviews.lastCompleted?.id ?? null,
      lastCompletedAt: report.accessReviews.lastCompleted?.completedAt ?? null,
      lastReviewerId: report.accessReviews.lastCompleted?.completedById ?? null,
      daysSinceLastReview: report.accessReviews.daysSinceLastReview,
      intervalDays: report.accessReviews.intervalDays,
      reviewedWithinInterval: report.accessReviews.withinInterval,
      privilegedMembers: report.accessReviews.privilegedMembers,
      roleChangesSinceLastReview: report.accessReviews.roleChangesSinceLastReview,
      inProgress: report.accessReviews.inProgress,
    },
  };
}
