import { QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION = '23505';

/** True for a unique-constraint violation, optionally only one whose constraint or detail names `column`. */
export function isUniqueViolation(error: unknown, column?: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; constraint?: string; detail?: string };
  if (driverError.code !== UNIQUE_VIOLATION) return false;
  return column === undefined || Boolean(driverError.constraint?.includes(column) || driverError.detail?.includes(`(${column})`));
}
