// The catalogue of stable error codes. docs/errors.md lists the same codes; a test keeps them in step.

export const ERROR_CODES = {
  INVALID_REQUEST: { httpStatus: 400, type: 'invalid_request_error', message: 'The request is malformed.' },
  INVALID_JSON_NUMBER: {
    httpStatus: 400,
    type: 'invalid_request_error',
    message: 'Numbers must be integer literals within the safe JSON range (amounts are integer minor units).',
  },
  BATCH_TOO_LARGE: { httpStatus: 400, type: 'invalid_request_error', message: 'Too many items in one batch.' },
  BODY_TOO_LARGE: { httpStatus: 413, type: 'invalid_request_error', message: 'The request body is too large.' },
  UNAUTHENTICATED: { httpStatus: 401, type: 'authentication_error', message: 'Missing or invalid credentials.' },
  FORBIDDEN: { httpStatus: 403, type: 'permission_error', message: 'Not allowed.' },
  NOT_FOUND: { httpStatus: 404, type: 'invalid_request_error', message: 'No such object.' },
  ACCOUNT_NOT_FOUND: { httpStatus: 404, type: 'invalid_request_error', message: 'No such ledger account.' },
  TRANSFER_NOT_FOUND: { httpStatus: 404, type: 'invalid_request_error', message: 'No such ledger transfer.' },
  INVALID_CURSOR: { httpStatus: 400, type: 'invalid_request_error', message: 'The pagination cursor is invalid.' },
  RATE_LIMITED: { httpStatus: 429, type: 'rate_limit_error', message: 'Too many requests; retry later.' },
  LEDGER_OVERLOADED: { httpStatus: 503, type: 'overloaded_error', message: 'The ledger is at capacity; retry later.' },
  IDEMPOTENCY_KEY_INVALID: { httpStatus: 400, type: 'idempotency_error', message: 'The Idempotency-Key header must be 1 to 255 printable ASCII characters.' },
  IDEMPOTENCY_KEY_MISMATCH: {
    httpStatus: 422,
    type: 'idempotency_error',
    message: 'This Idempotency-Key was used with a different request; use a new key for a new request.',
  },
  IDEMPOTENCY_KEY_IN_USE: { httpStatus: 409, type: 'idempotency_error', message: 'A request with this Idempotency-Key is still being processed; retry later.' },
  LEDGER_UNAVAILABLE: { httpStatus: 503, type: 'api_error', message: 'The ledger cannot write right now; retry later.' },
  INVARIANT_VIOLATED: { httpStatus: 500, type: 'api_error', message: 'An internal invariant failed; the operation was stopped.' },
  INTERNAL: { httpStatus: 500, type: 'api_error', message: 'Internal error.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A typed error with a stable code; the HTTP layer turns it into `{"error": {...}}`. */
export class SaomaError extends Error {
  readonly code: ErrorCode;
  readonly param: string | undefined;
  constructor(code: ErrorCode, message?: string, param?: string) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'SaomaError';
    this.code = code;
    this.param = param;
  }
  get httpStatus(): number {
    return ERROR_CODES[this.code].httpStatus;
  }
  get type(): string {
    return ERROR_CODES[this.code].type;
  }
}

/** Stops the operation loudly when something that must hold does not. */
export function assert(condition: unknown, what: string): asserts condition {
  if (!condition) throw new SaomaError('INVARIANT_VIOLATED', `invariant violated: ${what}`);
}
