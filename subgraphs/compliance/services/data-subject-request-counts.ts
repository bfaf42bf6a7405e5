import type { DataSource } from 'typeorm';
import { OPEN_STATUSES } from './request-rules';

/** Data-subject requests (GDPR Art. 15–20, HIPAA access) of an organization that are still open, and those past their due date. */
export interface DataSubjectRequestCounts {
  open: number;
  overdue: number;
}

/** The compliance report's figures for data-subject requests, from compliance's own records of them. */
export async function countDataSubjectRequests(dataSource: DataSource, organizationId: string): Promise<DataSubjectRequestCounts> {
  const [row] = (await dataSource.query(
    `SELECT count(*)::int AS open, count(*) FILTER (WHERE due_at < now())::int AS overdue
       FROM compliance.data_subject_requests WHERE organization_id = $1 AND status = ANY($2::text[])`,
    [organizationId, [...OPEN_STATUSES]],
  )) as { open: number; overdue: number }[];
  return { open: row!.open, overdue: row!.overdue };
}
