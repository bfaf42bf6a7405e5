import { Field, InputType } from 'type-graphql';
import { ReportFormat, ReportGrouping, ReportMetric, ReportPeriod } from './report-enums';
import { ReportFiltersInput } from './report-filters.input';

@InputType({ description: 'What to change in a report; what is left out stays. `schedule: null` stops its schedule.' })
export class UpdateReportInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [ReportMetric], { nullable: true })
  metrics?: ReportMetric[] | null;

  @Field(() => ReportGrouping, { nullable: true })
  groupBy?: ReportGrouping | null;

  @Field(() => ReportPeriod, { nullable: true })
  period?: ReportPeriod | null;

  @Field(() => ReportFormat, { nullable: true })
  format?: ReportFormat | null;

  @Field(() => ReportFiltersInput, { nullable: true, description: 'Replaces the filters.' })
  filters?: ReportFiltersInput | null;

  @Field(() => String, { nullable: true })
  schedule?: string | null;
}
