/**
 * JSON Canonicalization Scheme (RFC 8785), for the values audit events hold: object members
 * sorted by their names' UTF-16 code units (§3.2.3, which is JavaScript's default string
 * order), no whitespace, strings and numbers serialised as ECMAScript's JSON.stringify does
 * (§3.2.2: RFC 8785 adopts ES2015 number formatting). `undefined` members are left out, as
 * JSON.stringify leaves them out; a non-finite number is refused (RFC 8785 §3.2.2.3).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no NaN or Infinity');
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}
