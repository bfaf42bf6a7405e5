import { Lexer, Source, TokenKind } from 'graphql';
import type { DocumentLimits } from '../config';
import { QueryTooComplexError } from '../errors';

/**
 * The limits on query text, checked before it is parsed: its size in bytes, then its number
 * of tokens (graphql's own lexer, stopping one past the limit, so a huge document costs no
 * more than a legal one). A document that does not lex is left to the parser to report.
 */
export function documentTextProblem(
  query: unknown,
  limits: Pick<DocumentLimits, 'documentBytes' | 'tokens'>,
): QueryTooComplexError | undefined {
  if (typeof query !== 'string') return undefined;
  // A UTF-16 code unit is at most 3 bytes of UTF-8: short text needs no exact count.
  if (query.length * 3 > limits.documentBytes) {
    const bytes = Buffer.byteLength(query, 'utf8');
    if (bytes > limits.documentBytes) return new QueryTooComplexError('documentBytes', bytes, limits.documentBytes);
  }
  // Every token is at least one character.
  if (query.length <= limits.tokens) return undefined;
  const lexer = new Lexer(new Source(query));
  let tokens = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      tokens += 1;
      if (tokens > limits.tokens) return new QueryTooComplexError('tokens', undefined, limits.tokens);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** The JSON body of a refused request, as GraphQL over HTTP answers it (status 400). */
export function refusalBody(error: QueryTooComplexError): { errors: { message: string; extensions: Record<string, unknown> }[] } {
  return { errors: [{ message: error.message, extensions: { ...error.extensions } }] };
}
