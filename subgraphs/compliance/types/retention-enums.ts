import { registerEnumType } from 'type-graphql';
import type { RetentionAction, RetentionCategory } from '../../../platform/retention/retention-categories';
import { RetentionRunStatus } from '../entities/retention-run.entity';
import { CheckStatus, ComplianceStandard } from '../services/compliance-report.service';

/** The data categories of platform/retention/retention-categories.ts, as the schema names them. */
export enum RetentionCategoryValue {
  AUDIT_EVENTS = 'audit_events',
  CALL_RECORDS = 'call_records',
  RECORDINGS = 'recordings',
  USAGE = 'usage',
  SESSIONS = 'sessions',
}

export enum RetentionActionValue {
  DELETE = 'delete',
  ARCHIVE = 'archive',
}

registerEnumType(RetentionCategoryValue, {
  name: 'RetentionCategory',
  description: 'A category of data a retention policy covers, each kept by one part of the system.',
  valuesConfig: {
    AUDIT_EVENTS: { description: 'Audit log events (archived only: the hash chain must still verify). 1 to 3,650 days.' },
    CALL_RECORDS: {
      description: 'Call records with their quality figures; a call with a recording stays until the recording goes. 1 to 3,650 days.',
    },
    RECORDINGS: { description: 'Call recordings with their transcripts and summaries. 1 to 3,650 days.' },
    USAGE: { description: 'Metered usage records behind invoices. 120 (the card networks’ dispute window) to 3,650 days.' },
    SESSIONS: { description: 'Ended sign-in sessions, with their address and user agent. 1 to 3,650 days.' },
  },
});
registerEnumType(RetentionActionValue, {
  name: 'RetentionAction',
  description: 'What happens to a record past its retention.',
  valuesConfig: {
    DELETE: { description: 'Deleted for good.' },
    ARCHIVE: { description: 'Moved to its owner’s archive, still readable and verifiable.' },
  },
});
registerEnumType(RetentionRunStatus, {
  name: 'RetentionRunStatus',
  description: 'Where a retention run, or one category of it, stands.',
  valuesConfig: {
    PENDING: { description: 'Asked of the part of the system that keeps the data; not reported yet.' },
    COMPLETED: { description: 'Reported: the counts are final.' },
    HELD: { description: 'A legal hold on the whole organization: nothing was removed.' },
  },
});
registerEnumType(ComplianceStandard, { name: 'ComplianceStandard', description: 'The standard a compliance report is read against.' });
registerEnumType(CheckStatus, {
  name: 'ComplianceCheckStatus',
  description: 'What the figures show about one requirement.',
  valuesConfig: {
    PASS: { description: 'Met, as far as the figures show.' },
    ATTENTION: { description: 'Not met: see the detail.' },
    NOT_MEASURED: { description: 'The system does not hold what it would take to tell: see the detail.' },
  },
});

export const categoryOf = (value: RetentionCategoryValue): RetentionCategory => value as string as RetentionCategory;
export const categoryValueOf = (value: RetentionCategory): RetentionCategoryValue => value as string as RetentionCategoryValue;
export const actionOf = (value: RetentionActionValue): RetentionAction => value as string as RetentionAction;
export const actionValueOf = (value: RetentionAction): RetentionActionValue => value as string as RetentionActionValue;

export { CheckStatus, ComplianceStandard, RetentionRunStatus };
