import { BadUserInputError } from '../../../platform/errors';
import { MAX_RANGE_DAYS } from './time-range';

/** The period a report covers, resolved against the time it runs (whole UTC days and months). */
export enum ReportPeriod {
  LAST_7_DAYS = 'last_7_days',
  LAST_30_DAYS = 'last_30_days',
  LAST_90_DAYS = 'last_90_days',
  MONTH_TO_DATE = 'month_to_date',
  PREVIOUS_MONTH = 'previous_month',
}

const DAY_MS = 86_400_000;

/**
 * [start, end) of `period` as seen at `at`: the last N whole days before today (UTC), the
 * month so far (to now), or the whole previous calendar month.
 */
export function resolvePeriod(period: ReportPeriod, at: Date): { start: Date; end: Date } {
  const today = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const monthStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1);
  switch (period) {
    case ReportPeriod.LAST_7_DAYS:
      return { start: new Date(today - 7 * DAY_MS), end: new Date(today) };
    case ReportPeriod.LAST_30_DAYS:
      return { start: new Date(today - 30 * DAY_MS), end: new Date(today) };
    case ReportPeriod.LAST_90_DAYS:
      return { start: new Date(today - 90 * DAY_MS), end: new Date(today) };
    case ReportPeriod.MONTH_TO_DATE:
      return { start: new Date(monthStart), end: at };
    case ReportPeriod.PREVIOUS_MONTH:
      return { start: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1)), end: new Date(monthStart) };
  }
}

/** A period asked for explicitly (`runReport(from, to)`): ordered, and at most MAX_RANGE_DAYS long. */
export function explicitPeriod(from: Date, to: Date): { start: Date; end: Date } {
  if (Number.isNaN(from.getTime())) throw new BadUserInputError('from: not a date', 'from');
  if (Number.isNaN(to.getTime())) throw new BadUserInputError('to: not a date', 'to');
  if (from >= to) throw new BadUserInputError('from: must be before to', 'from');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS)
    throw new BadUserInputError(`from: at most ${MAX_RANGE_DAYS} days before to`, 'from');
  return { start: from, end: to };
}
