import { BadUserInputError, ConflictError } from '../../../platform/errors';
import { DataSubjectRequestStatus, DataSubjectRequestType, Regulation } from '../entities/data-subject-request.entity';

const DAY_MS = 86_400_000;

/** `months` calendar months after `from`, on the same day, or the month's last day when it has no such day (31 January + 1 month: 28 or 29 February). */
export function addCalendarMonths(from: Date, months: number): Date {
  const target = new Date(from.getTime());
  const day = from.getUTCDate();
  target.setUTCDate(1);
  target.setUTCMonth(target.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target;
}

/**
 * How long an organization has to answer, and by how much it may extend that once, with a reason:
 * - GDPR Art. 12(3): one month from receipt, extendable by two further months "where necessary,
 *   taking into account the complexity and number of the requests";
 * - HIPAA 45 CFR 164.524(b)(2): access within 30 days, extendable once by 30 days;
 *   164.526(b)(2): an amendment within 60 days, extendable once by 30 days. HIPAA gives no
 *   right to erasure, so a deletion is a GDPR request.
 */
export function dueDateOf(regulation: Regulation, type: DataSubjectRequestType, receivedAt: Date): Date {
  switch (regulation) {
    case Regulation.GDPR:
      return addCalendarMonths(receivedAt, 1);
    case Regulation.HIPAA:
      return new Date(receivedAt.getTime() + (type === DataSubjectRequestType.RECTIFICATION ? 60 : 30) * DAY_MS);
  }
}

export function extendedDueDateOf(regulation: Regulation, dueAt: Date): Date {
  switch (regulation) {
    case Regulation.GDPR:
      return addCalendarMonths(dueAt, 2);
    case Regulation.HIPAA:
      return new Date(dueAt.getTime() + 30 * DAY_MS);
  }
}

export function checkRegulation(regulation: Regulation, type: DataSubjectRequestType, field: string): Regulation {
  if (regulation === Regulation.HIPAA && type === DataSubjectRequestType.DELETION) {
    throw new BadUserInputError(`${field}: HIPAA gives no right to erasure; ask for a deletion under GDPR`, field);
  }
  return regulation;
}

/** The statuses of a request not yet answered. */
export const OPEN_STATUSES: readonly DataSubjectRequestStatus[] = [
  DataSubjectRequestStatus.RECEIVED,
  DataSubjectRequestStatus.IN_PROGRESS,
  DataSubjectRequestStatus.AWAITING_APPROVAL,
];
const OPEN = new Set(OPEN_STATUSES);

export function isOpen(status: DataSubjectRequestStatus): boolean {
  return OPEN.has(status);
}

/** Open past its due date. */
export function isOverdue(request: { status: DataSubjectRequestStatus; dueAt: Date }, now = new Date()): boolean {
  return isOpen(request.status) && request.dueAt.getTime() < now.getTime();
}

/** The transitions a person may cause (the job's own are in the service): approval and rejection wait for `awaiting_approval`. */
export function assertAwaitingDecision(request: { id: string; status: DataSubjectRequestStatus; type: DataSubjectRequestType }): void {
  const decidable =
    request.status === DataSubjectRequestStatus.AWAITING_APPROVAL ||
    // An export is not approved, but it may be refused before it is processed (an unfounded or excessive request, Art. 12(5)).
    (request.type === DataSubjectRequestType.EXPORT && request.status === DataSubjectRequestStatus.RECEIVED);
  if (!decidable) throw new ConflictError(`id: the request ${request.id} is ${request.status}, not awaiting a decision`, 'id');
}
