import type { DataSource } from 'typeorm';

/** Data-subject requests (GDPR Art. 15–20, HIPAA access) of an organization that are still open, and those past their due date. */
export interface DataSubjectRequestCounts {
  open: number;
  overdue: number;
  /** Whether compliance records such requests at all; when false the counts are zero by default, not by measurement. */
  tracked: boolean;
}

/**
 * The compliance report's figures for data-subject requests. Compliance keeps no record of
 * such requests in this version, so there is nothing to count: this is the one place the
 * report reads them from, and the only function to change once they are recorded.
 */
export async function countDataSubjectRequests(_dataSource: DataSource, _organizationId: string): Promise<DataSubjectRequestCounts> {
  return { open: 0, overdue: 0, tracked: false };
}
