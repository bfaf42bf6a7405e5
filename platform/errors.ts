import { GraphQLError } from 'graphql';

/** The closed set of error codes a client can see (ARCHITECTURE.md, rule 6). */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'QUERY_TOO_COMPLEX',
  'NOT_FOUND',
  'CONFLICT',
  'PAYMENT_REQUIRED',
  'RATE_LIMITED',
  'TOO_MANY_SUBSCRIPTIONS',
  'SERVICE_UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The HTTP status of a response refused with each code. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  QUERY_TOO_COMPLEX: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYMENT_REQUIRED: 402,
  RATE_LIMITED: 429,
  TOO_MANY_SUBSCRIPTIONS: 429,
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
  /** `extensions` add detail a client can act on, such as `reason` for a refused refresh. */
  constructor(
    message = 'Authentication required: send a bearer token in the Authorization header',
    extensions: Record<string, unknown> = {},
  ) {
    super(message, 'UNAUTHENTICATED', extensions);
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

/** The limits of platform/limits, by the name errors report them under. */
export type QueryLimit =
  'depth' | 'aliases' | 'rootFields' | 'tokens' | 'directives' | 'cost' | 'documentBytes' | 'responseBytes' | 'representations';

const LIMIT_MESSAGES: Record<QueryLimit, (found: number, max: number) => string> = {
  depth: (found, max) => `Query depth ${found} exceeds the limit of ${max}`,
  aliases: (found, max) => `Query has ${found} aliases, more than the limit of ${max}`,
  rootFields: (found, max) => `Query selects ${found} root fields, more than the limit of ${max}`,
  tokens: (_found, max) => `Query has more than ${max} tokens, the limit`,
  directives: (found, max) => `Query has ${found} directives, more than the limit of ${max}`,
  cost: (found, max) =>
    `Query cost ${found} exceeds the limit of ${max} (a list counts as many times as its page size): ask for smaller pages or fewer nested lists`,
  documentBytes: (found, max) => `Query text of ${found} bytes exceeds the limit of ${max} bytes`,
  responseBytes: (found, max) => `Response of ${found} bytes exceeds the limit of ${max} bytes: ask for fewer fields or smaller pages`,
  representations: (found, max) => `_entities was sent ${found} representations, more than the limit of ${max}`,
};

/**
 * A document over one of the limits (platform/limits): refused before any work is done.
 * `extensions.limit` names the limit, `max` its value and `found` what the document has
 * (absent for tokens: counting stops at the limit).
 */
export class QueryTooComplexError extends CodedError {
  readonly code = 'QUERY_TOO_COMPLEX';
  constructor(limit: QueryLimit, found: number | undefined, max: number) {
    super(LIMIT_MESSAGES[limit](found ?? max + 1, max), 'QUERY_TOO_COMPLEX', found === undefined ? { limit, max } : { limit, max, found });
  }
}

/** A WebSocket subscription over the per-socket or per-user cap. */
export class TooManySubscriptionsError extends CodedError {
  readonly code = 'TOO_MANY_SUBSCRIPTIONS';
  constructor(scope: 'socket' | 'user', max: number) {
    super(
      scope === 'socket'
        ? `This socket already has ${max} subscriptions open, the limit: complete one first`
        : `You already have ${max} subscriptions open across your sockets, the limit: complete one first`,
      'TOO_MANY_SUBSCRIPTIONS',
      { scope, max },
    );
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

/** The organization's plan allows no more of `feature` this billing period (a hard limit): upgrade to go on. */
export class PaymentRequiredError extends CodedError {
  readonly code = 'PAYMENT_REQUIRED';
  constructor(feature: string, used: number, limit: number) {
    super(
      `Your plan's limit for ${feature} is reached (${used} of ${limit} this billing period): upgrade the plan to go on`,
      'PAYMENT_REQUIRED',
      { feature, used, limit },
    );
  }
}

/** Which API key budget refused a request, in `extensions.reason`: its requests, or its operations' cost. */
export type ApiKeyBudget = 'API_KEY_REQUESTS' | 'API_KEY_COST';

const RATE_LIMIT_MESSAGES: Record<ApiKeyBudget, string> = {
  API_KEY_REQUESTS: "This API key's requests for the window are spent",
  API_KEY_COST: "This API key's operation cost for the window is spent",
};

export class RateLimitedError extends CodedError {
  readonly code = 'RATE_LIMITED';
  /** Which API key budget refused the request, when one did. */
  readonly reason?: ApiKeyBudget;

  /**
   * An API key's spent budget (`reason`, its own message), or, with `message` and `extensions`
   * (a `reason` such as `locked_out`), a refusal more particular than a spent request budget.
   */
  constructor(
    readonly retryAfterSeconds: number,
    detail?: ApiKeyBudget | { message: string; extensions?: Record<string, unknown> },
  ) {
    const budget = typeof detail === 'string' ? detail : undefined;
    const particular = typeof detail === 'object' ? detail : undefined;
    super(
      particular?.message ?? `${budget ? RATE_LIMIT_MESSAGES[budget] : 'Too many requests'}: retry after ${retryAfterSeconds}s`,
      'RATE_LIMITED',
      { ...particular?.extensions, ...(budget ? { reason: budget } : {}), retryAfterSeconds },
    );
    this.reason = budget;
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
