import { Field, ID, ObjectType } from 'type-graphql';
import type { Report } from '../entities/report.entity';
import type { ReportFilters } from '../services/report-catalogue';
import { ReportFormat, ReportGrouping, ReportMetric, ReportPeriod } from './report-enums';
import { ReportFiltersType } from './report-filters.type';

@ObjectType('Report', { description: 'A saved custom report: run it now (`runReport`) or on its schedule.' })
export class ReportType {
  @Field(() => ID, { description: '`rpt_…`' })
  id: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => String)
  name: string;

  @Field(() => [ReportMetric])
  metrics: ReportMetric[];

  @Field(() => ReportGrouping)
  groupBy: ReportGrouping;

  @Field(() => ReportPeriod)
  period: ReportPeriod;

  @Field(() => ReportFormat)
  format: ReportFormat;

  @Field(() => ReportFiltersType)
  filters: ReportFiltersType;

  @Field(() => String, { nullable: true, description: 'Cron, UTC.' })
  schedule: string | null;

  @Field(() => Date, { nullable: true, description: 'When the schedule next queues a run.' })
  nextRunAt: Date | null;

  @Field(() => ID, { description: 'The user who saved it.' })
  createdBy: string;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date)
  updatedAt: Date;
}

export function reportTypeOf(row: Report): ReportType {
  return {
    id: row.id,
    organizationId: row.organizationId,
    name: row.name,
    metrics: row.metrics as ReportMetric[],
    groupBy: row.groupBy as ReportGrouping,
    period: row.period as ReportPeriod,
    format: row.format as ReportFormat,
    filters: row.filters as ReportFilters,
    schedule: row.schedule,
    nextRunAt: row.nextRunAt,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
