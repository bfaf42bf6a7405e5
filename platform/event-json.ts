/**
 * The one place events become JSON and back, for the live bus (Redis pub/sub) and the
 * outbox (its table and Redis Streams). A `Date` travels as `{"$date": "<ISO 8601>"}` and
 * comes back a `Date`, so no subscriber or consumer revives dates itself.
 */
const DATE_TAG = '$date';

export function encodeEvent(value: unknown): string {
  return JSON.stringify(value, function replace(this: Record<string, unknown>, key: string, replaced: unknown) {
    // `replaced` has been through Date#toJSON already; the holder still has the Date itself.
    const original = this[key];
    return original instanceof Date ? { [DATE_TAG]: original.toISOString() } : replaced;
  });
}

export function decodeEvent<T>(text: string): T {
  return JSON.parse(text, reviveDate) as T;
}

/** The JSON tree an event is stored as (a `jsonb` column): dates tagged, nothing else changed. */
export function toJsonTree(value: unknown): unknown {
  return JSON.parse(encodeEvent(value));
}

/** Back from a stored JSON tree, dates revived. */
export function fromJsonTree<T>(tree: unknown): T {
  return decodeEvent<T>(JSON.stringify(tree));
}

function reviveDate(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const tagged = value as Record<string, unknown>;
  const keys = Object.keys(tagged);
  return keys.length === 1 && keys[0] === DATE_TAG && typeof tagged[DATE_TAG] === 'string' ? new Date(tagged[DATE_TAG]) : value;
}
