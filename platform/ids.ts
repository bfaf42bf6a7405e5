import { monotonicFactory } from 'ulid';
import { BadUserInputError } from './errors';

/**
 * Prefixed, sortable ids (`org_01JD…`), as users of Stripe and WorkOS know them.
 * The suffix is a ULID, so ids sort by creation time.
 */
export const ID_PREFIXES = {
  organization: 'org',
  user: 'user',
  member: 'mem',
  signingKey: 'key',
  plan: 'plan',
  subscription: 'sub',
  role: 'role',
  audit: 'aud',
  invoice: 'inv',
  charge: 'ch',
  usageRecord: 'ur',
  invitation: 'invitation',
  event: 'evt',
  securityEvent: 'sev',
  auditSink: 'snk',
  costInsight: 'ins',
  report: 'rpt',
  reportRun: 'rptrun',
  session: 'sess',
  recording: 'rec',
  apiKey: 'apikey',
  consentRecord: 'cns',
  legalHold: 'hold',
  retentionRun: 'rtn',
  ssoConfig: 'sso',
  complianceRequest: 'dsr',
  accessReview: 'arv',
  accessReviewEntry: 'arve',
  serviceToken: 'svct',
} as const;
export type IdKind = keyof typeof ID_PREFIXES;

const ulid = monotonicFactory();
const SUFFIX = /^[0-9A-Za-z_]{1,64}$/;

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${ulid()}`;
}

export function isId(kind: IdKind, value: string): boolean {
  const prefix = `${ID_PREFIXES[kind]}_`;
  return value.startsWith(prefix) && SUFFIX.test(value.slice(prefix.length));
}

/** Returns `value` if it is an id of `kind`, else throws BAD_USER_INPUT naming `field`. */
export function parseId(kind: IdKind, value: string, field: string): string {
  if (!isId(kind, value)) {
    throw new BadUserInputError(
      `${field}: "${truncate(value)}" is not a valid ${kind} id (expected "${ID_PREFIXES[kind]}_" followed by letters and digits)`,
      field,
    );
  }
  return value;
}

function truncate(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
