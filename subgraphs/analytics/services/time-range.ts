import { BadUserInputError } from '../../../platform/errors';

/** The longest range a caller may ask analytics about at once. */
export const MAX_RANGE_DAYS = 366;

/** [from, to) as asked, `to` defaulting to now and `from` to `defaultSpanMs` before it; BAD_USER_INPUT when reversed or too long. */
export function timeRange(from: Date | null | undefined, to: Date | null | undefined, defaultSpanMs: number): { from: Date; to: Date } {
  const end = to ?? new Date();
  const start = from ?? new Date(end.getTime() - defaultSpanMs);
  if (Number.isNaN(start.getTime())) throw new BadUserInputError('from: not a date', 'from');
  if (Number.isNaN(end.getTime())) throw new BadUserInputError('to: not a date', 'to');
  if (start.getTime() >= end.getTime()) throw new BadUserInputError('from: must be before to', 'from');
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * 86_400_000)
    throw new BadUserInputError(`from: at most ${MAX_RANGE_DAYS} days before to`, 'from');
  return { from: start, to: end };
}
