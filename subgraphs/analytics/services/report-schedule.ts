import { CronExpressionParser } from 'cron-parser';
import { BadUserInputError } from '../../../platform/errors';

/** The shortest gap between two scheduled runs of one report. */
export const MIN_SCHEDULE_INTERVAL_MINUTES = 60;

/**
 * A report's cron schedule: five fields, UTC (as the job worker's), no more often than
 * hourly. Answers the next tick after `after`; BAD_USER_INPUT naming `schedule` otherwise.
 */
export function nextTick(schedule: string, after: Date): Date {
  const expression = schedule.trim();
  if (expression.split(/\s+/).length !== 5)
    throw new BadUserInputError('schedule: a cron expression of five fields (minute hour day month weekday), in UTC', 'schedule');
  let parsed;
  try {
    parsed = CronExpressionParser.parse(expression, { currentDate: after, tz: 'UTC' });
  } catch (error) {
    throw new BadUserInputError(`schedule: ${(error as Error).message}`, 'schedule');
  }
  const ticks = [parsed.next().toDate(), parsed.next().toDate(), parsed.next().toDate()];
  for (let i = 1; i < ticks.length; i++) {
    if (ticks[i].getTime() - ticks[i - 1].getTime() < MIN_SCHEDULE_INTERVAL_MINUTES * 60_000)
      throw new BadUserInputError(`schedule: runs at most once every ${MIN_SCHEDULE_INTERVAL_MINUTES} minutes`, 'schedule');
  }
  return ticks[0];
}
