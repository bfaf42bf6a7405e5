import type { FormattedExecutionResult } from 'graphql';
import { QueryTooComplexError } from '../errors';

/**
 * Apollo Server's `stringifyResult` with a ceiling: the response is serialised once, as
 * Apollo would (JSON and a newline), and one larger than `maxBytes` is replaced by a
 * QUERY_TOO_COMPLEX error naming its size. The document limits keep honest queries far
 * below it; this is the last guard against an answer that would tie up the gateway and
 * the client.
 */
export function boundedStringify(maxBytes: number): (result: FormattedExecutionResult) => string {
  return (result) => {
    const text = `${JSON.stringify(result)}\n`;
    const bytes = text.length * 3 > maxBytes ? Buffer.byteLength(text, 'utf8') : text.length;
    if (bytes <= maxBytes) return text;
    const error = new QueryTooComplexError('responseBytes', bytes, maxBytes);
    return `${JSON.stringify({ errors: [{ message: error.message, extensions: { ...error.extensions } }] })}\n`;
  };
}

/** The same ceiling for a result sent over WebSocket: the error to send instead, if it is too large. */
export function oversizedResult(result: unknown, maxBytes: number): QueryTooComplexError | undefined {
  const text = JSON.stringify(result);
  const bytes = text.length * 3 > maxBytes ? Buffer.byteLength(text, 'utf8') : text.length;
  return bytes > maxBytes ? new QueryTooComplexError('responseBytes', bytes, maxBytes) : undefined;
}
