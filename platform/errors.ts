import { GraphQLError } from 'graphql';

/** The closed set of error codes a client can see (ARCHITECTURE.md, rule 6). */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The HTTP status of a response refused with each code. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export abstract class CodedError extends GraphQLError {
  abstract readonly code: ErrorCode;
  protected constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export class UnauthenticatedError extends CodedError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'Authentication required: send a bearer token in the Authorization header') {
    super(message, 'UNAUTHENTICATED');
  }
}

export class ForbiddenError extends CodedError {
  readonly code = 'FORBIDDEN';
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, 'FORBIDDEN', extensions);
  }
}

export class BadUserInputError extends CodedError {
  readonly code = 'BAD_USER_INPUT';
  /** `field` names the argument or input field that was wrong, as the client sent it. */
  constructor(message: string, field?: string) {
    super(message, 'BAD_USER_INPUT', field ? { field } : {});
  }
}

export class NotFoundError extends CodedError {
  readonly code = 'NOT_FOUND';
  constructor(resource: string, id: string, field?: string) {
    super(`${resource} "${id}" was not found`, 'NOT_FOUND', field ? { field, resource } : { resource });
  }
}

export class ConflictError extends CodedError {
  readonly code = 'CONFLICT';
  constructor(message: string, field?: string) {
    super(message, 'CONFLICT', field ? { field } : {});
  }
}

export class RateLimitedError extends CodedError {
  readonly code = 'RATE_LIMITED';
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests: retry after ${retryAfterSeconds}s`, 'RATE_LIMITED', { retryAfterSeconds });
  }
}

/** A subgraph did not answer: the fields it serves are null, the rest of the answer stands (or, with a message, what it could not do). */
export class ServiceUnavailableError extends CodedError {
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(
    service: string,
    message = `The ${service} service is unavailable; the fields it serves could not be resolved. Retry shortly.`,
  ) {
    super(message, 'SERVICE_UNAVAILABLE', { service });
  }
}

export class InternalError extends CodedError {
  readonly code = 'INTERNAL';
  constructor(requestId?: string) {
    super('Internal server error', 'INTERNAL', requestId ? { requestId } : {});
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
