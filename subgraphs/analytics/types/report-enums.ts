import { registerEnumType } from 'type-graphql';
import { ReportGrouping, ReportMetric } from '../services/report-catalogue';
import { ReportFormat } from '../services/report-output';
import { ReportPeriod } from '../services/report-period';
import { ReportRunStatus, ReportRunTrigger } from '../services/report.service';

registerEnumType(ReportMetric, {
  name: 'ReportMetric',
  description: 'A figure a custom report can show: call metrics (by call start) or AI metrics (by use); money in US dollars.',
});
registerEnumType(ReportGrouping, {
  name: 'ReportGrouping',
  description:
    'Rows of a report: one (NONE), per UTC day, ISO week or month (every one of the period), or per codec, quality band (calls), feature, model or user (AI).',
});
registerEnumType(ReportPeriod, {
  name: 'ReportPeriod',
  description: 'What a run covers, as seen when it is queued: whole UTC days or months.',
});
registerEnumType(ReportFormat, { name: 'ReportFormat' });
registerEnumType(ReportRunStatus, { name: 'ReportRunStatus' });
registerEnumType(ReportRunTrigger, { name: 'ReportRunTrigger' });

export { ReportFormat, ReportGrouping, ReportMetric, ReportPeriod, ReportRunStatus, ReportRunTrigger };
