import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import type { GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { ValidationError } from 'class-validator';
import { CodedError, isErrorCode } from './errors';
import type { ErrorCode } from './errors';
import type { Logger } from './logger';

/** Codes that belong to the automatic persisted query protocol: clients act on them as they are. */
const PROTOCOL_CODES = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);
/** Apollo's codes for requests the client got wrong: all of them are BAD_USER_INPUT to our clients. */
const CLIENT_FAULT_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE']);

/** graphql's "Did you mean …?" after an unknown field, argument or type: a map of the schema for whoever probes it. */
const SUGGESTION = / ?Did you mean .+\?$/;

/** Apollo Server's refusal of introspection names Apollo Server and how to turn it on. */
const INTROSPECTION_REFUSAL = /^GraphQL introspection (is not allowed|has been disabled)/;
/** Extensions that name where an error came from (a subgraph, its address) or how it is answered: never a client's business. */
const INTERNAL_EXTENSIONS = ['http', 'serviceName', 'stacktrace', 'exception'] as const;

export interface ErrorFormatterOptions {
  /** Drop graphql's field suggestions from messages (production: the schema is not introspectable there either). */
  hideSuggestions?: boolean;
  /**
   * Production: no error names a subgraph (a SERVICE_UNAVAILABLE says a service is down, not
   * which) or says how introspection is refused; the detail is in the log, with the request id.
   */
  maskInternals?: boolean;
}

/** The extensions a client may see of an error that carries one of our codes. */
function clientExtensions(extensions: Record<string, unknown>, mask: boolean): Record<string, unknown> {
  const kept = { ...extensions };
  for (const name of INTERNAL_EXTENSIONS) delete kept[name];
  if (mask) delete kept.service;
  return kept;
}

const MASKED_UNAVAILABLE = 'A service this answer needs is unavailable; the fields it serves could not be resolved. Retry shortly.';

/**
 * Every error a client sees carries one of our codes and a message meant for it; anything
 * unexpected becomes INTERNAL with no detail, and is logged here with its stack.
 */
export function createErrorFormatter(logger: Logger, options: ErrorFormatterOptions = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // A validation rule's coded error (QUERY_TOO_COMPLEX) arrives wrapped in Apollo's GRAPHQL_VALIDATION_FAILED.
    const original =
      unwrapped instanceof GraphQLError && !(unwrapped instanceof CodedError) && unwrapped.originalError instanceof CodedError
        ? unwrapped.originalError
        : unwrapped;
    const mask = options.maskInternals === true;
    let message = options.hideSuggestions || mask ? formatted.message.replace(SUGGESTION, '') : formatted.message;
    if (mask && INTROSPECTION_REFUSAL.test(message)) message = 'Introspection is not served here';
    const base = { message, locations: formatted.locations, path: formatted.path };
    const masked = (code: unknown, text: string) => (mask && code === 'SERVICE_UNAVAILABLE' ? MASKED_UNAVAILABLE : text);

    if (original instanceof CodedError) {
      return { ...base, message: masked(original.code, original.message), extensions: clientExtensions(original.extensions, mask) };
    }
    if (original instanceof ArgumentValidationError) {
      const fields = flattenValidationErrors(original.extensions.validationErrors as ValidationError[]);
      return {
        ...base,
        message: `Invalid input: ${fields.map(({ field, problems }) => `${field} ${problems.join(', ')}`).join('; ')}`,
        extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode, field: fields[0]?.field, fields },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PROTOCOL_CODES.has(code)) return formatted;
    if (isErrorCode(code)) {
      // Already one of ours, passed through from a subgraph that logged it: keep it, without any stack or the subgraph's name.
      return { ...base, message: masked(code, base.message), extensions: clientExtensions(formatted.extensions ?? {}, mask) };
    }
    if (typeof code === 'string' && CLIENT_FAULT_CODES.has(code)) {
      return { ...base, extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode, reason: code } };
    }
    logger.error({ err: original, path: formatted.path }, 'unexpected error');
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL' satisfies ErrorCode } };
  };
}

interface FieldProblems {
  field: string;
  problems: string[];
}

function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblems[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints
      ? [{ field, problems: Object.values(error.constraints).map((text) => stripProperty(text, error.property)) }]
      : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** class-validator messages start with the property name ("name should not be empty"); we name the full path instead. */
function stripProperty(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
