/**
 * JSON Canonicalization Scheme (RFC 8785), for the values audit events hold: object members
 * sorted by their names' UTF-16 code units (§3.2.3, which is JavaScript's default string
 * order), no whitespace, strings and numbers serialised as ECMAScript's JSON.stringify does
 * (§3.2.2: RFC 8785 adopts ES2015 number formatting). `undefined` members are left out, as
 * JSON.stringify leaves them out; a non-finite number is refused (RFC 8785 §3.2.2.3).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no NaN or Infinity');
    return JSON.stringify(value);
  }
  if (typeof value !== 'object') throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  // Written by concatenation: this runs for every event ingested, several times.
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index++) {
      if (index > 0) text += ',';
      const item: unknown = value[index];
      text += canonicalJson(item === undefined ? null : item);
    }
    return text + ']';
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units (§3.2.3).
  const names = Object.keys(record).sort();
  let text = '{';
  for (const name of names) {
    const member = record[name];
    if (member === undefined) continue;
    if (text.length > 1) text += ',';
    text += JSON.stringify(name) + ':' + canonicalJson(member);
  }
  return text + '}';
}
