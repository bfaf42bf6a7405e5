import { BadUserInputError } from '../../../platform/errors';

/** A purpose is a short key: lower-case letters, digits and underscores, starting with a letter (`call_recording`, `marketing`). */
export const PURPOSE_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
/** A notice version as the privacy notice names it (`2026-01`, `v3.1`). */
export const NOTICE_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkPurpose(value: unknown, field: string): string {
  if (typeof value !== 'string' || !PURPOSE_PATTERN.test(value)) {
    throw new BadUserInputError(
      `${field}: a purpose key of at most 64 lower-case letters, digits and underscores, such as call_recording`,
      field,
    );
  }
  return value;
}

export function checkNoticeVersion(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NOTICE_VERSION_PATTERN.test(value)) {
    throw new BadUserInputError(
      `${field}: a notice version of at most 64 letters, digits, dots, dashes and underscores, such as 2026-01`,
      field,
    );
  }
  return value;
}
