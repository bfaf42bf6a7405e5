/**
 * The one list of what is never written to the audit log: an argument, input field or
 * changed value whose name matches is replaced by REDACTED wherever it is nested. Every
 * subgraph's mutation arguments (platform/mutation-audit.ts) and every event's `changes`,
 * `request` and `response` (the audit subgraph's ingest) go through `redactSecrets`.
 */
export const SECRET_FIELD_NAMES = [
  'password',
  'newPassword',
  'currentPassword',
  'secret',
  'clientSecret',
  'webhookSecret',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'apiKey',
  'privateKey',
  'signingKey',
  'otp',
  'totp',
  'mfaCode',
  'recoveryCode',
  'cardNumber',
  'cvc',
  'authorization',
  'cookie',
] as const;

export const REDACTED = '[REDACTED]';

const SECRET_NAMES = new Set(SECRET_FIELD_NAMES.map((name) => name.toLowerCase()));
const MAX_DEPTH = 8;

/** Names ending in one of these are secrets too (`stripeSecretKey`, `sessionToken`, `x-api-key`). */
const SECRET_SUFFIXES = ['password', 'secret', 'secretkey', 'token', 'apikey', 'privatekey'];

export function isSecretFieldName(name: string): boolean {
  const normal = name.toLowerCase().replace(/[-_]/g, '');
  return SECRET_NAMES.has(normal) || SECRET_SUFFIXES.some((suffix) => normal.endsWith(suffix));
}

/** A copy of `value` with every secret member replaced; deeper than MAX_DEPTH is cut off. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return '[TRUNCATED]';
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value as Record<string, unknown>)) {
    if (member === undefined) continue;
    copy[name] = isSecretFieldName(name) ? REDACTED : redactSecrets(member, depth + 1);
  }
  return copy;
}
