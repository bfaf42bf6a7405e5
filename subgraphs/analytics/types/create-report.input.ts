import { Field, InputType } from 'type-graphql';
import { ReportFormat, ReportGrouping, ReportMetric, ReportPeriod } from './report-enums';
import { ReportFiltersInput } from './report-filters.input';

@InputType({ description: 'A custom report to save.' })
export class CreateReportInput {
  @Field(() => String, { description: '1 to 200 characters.' })
  name: string;

  @Field(() => [ReportMetric], { description: 'The columns, in order.' })
  metrics: ReportMetric[];

  @Field(() => ReportGrouping, { nullable: true, description: 'Default NONE: one row of totals.' })
  groupBy?: ReportGrouping | null;

  @Field(() => ReportPeriod)
  period: ReportPeriod;

  @Field(() => ReportFormat)
  format: ReportFormat;

  @Field(() => ReportFiltersInput, { nullable: true })
  filters?: ReportFiltersInput | null;

  @Field(() => String, { nullable: true, description: 'Cron (five fields, UTC), at most hourly: the report also runs by itself.' })
  schedule?: string | null;
}
