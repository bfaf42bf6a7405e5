import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { ReportRun } from '../entities/report-run.entity';
import { ReportFormat, ReportRunStatus, ReportRunTrigger } from './report-enums';

@ObjectType('ReportRun', { description: 'One run of a report: queued, computed by the job worker, its output kept for download.' })
export class ReportRunType {
  @Field(() => ID, { description: '`rptrun_…`' })
  id: string;

  @Field(() => ID)
  reportId: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => ReportRunStatus)
  status: ReportRunStatus;

  @Field(() => ReportRunTrigger)
  trigger: ReportRunTrigger;

  @Field(() => ID, { nullable: true, description: 'Who asked for it; null for a scheduled run.' })
  requestedBy: string | null;

  @Field(() => Date)
  periodStart: Date;

  @Field(() => Date)
  periodEnd: Date;

  @Field(() => ReportFormat)
  format: ReportFormat;

  @Field(() => Int, { description: 'Tries so far (a failed try is retried, up to 3).' })
  attempts: number;

  @Field(() => Int, { nullable: true })
  rowCount: number | null;

  @Field(() => Boolean, { description: 'The figures had more rows than a report keeps (10,000): the first ones are in the output.' })
  truncated: boolean;

  @Field(() => Int, { nullable: true })
  outputBytes: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last try failed.' })
  error: string | null;

  @Field(() => Date, { nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt: Date | null;

  @Field(() => Date)
  createdAt: Date;
}

export function reportRunTypeOf(row: ReportRun): ReportRunType {
  return {
    id: row.id,
    reportId: row.reportId,
    organizationId: row.organizationId,
    status: row.status as ReportRunStatus,
    trigger: row.trigger as ReportRunTrigger,
    requestedBy: row.requestedBy,
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    format: row.format as ReportFormat,
    attempts: row.attempts,
    rowCount: row.rowCount,
    truncated: row.truncated,
    outputBytes: row.outputBytes,
    error: row.error,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    createdAt: row.createdAt,
  };
}
