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
  PASSKEY_INVALID: { httpStatus: 401, type: 'authentication_error', message: 'The passkey response does not verify.' },
  PASSKEY_CLONED: {
    httpStatus: 401,
    type: 'authentication_error',
    message: 'The passkey signature counter went backwards: the credential may have been cloned.',
  },
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
  // Wallets, merchants and payments.
  CONSUMER_EXISTS: { httpStatus: 409, type: 'invalid_request_error', message: 'An account with this phone number or e-mail already exists; sign in from a bound device or add a device.' },
  CHALLENGE_NOT_FOUND: { httpStatus: 404, type: 'invalid_request_error', message: 'No such challenge for this device.' },
  CHALLENGE_EXPIRED: { httpStatus: 409, type: 'invalid_request_error', message: 'The challenge has expired; ask for a new one.' },
  CHALLENGE_USED: { httpStatus: 409, type: 'invalid_request_error', message: 'The challenge was already used; ask for a new one.' },
  SIGNATURE_INVALID: { httpStatus: 401, type: 'authentication_error', message: 'The signature does not verify against the device key.' },
  DEVICE_NOT_ACTIVE: { httpStatus: 403, type: 'authentication_error', message: 'This device is not active: it awaits approval, or was revoked.' },
  DEVICE_COOLING_OFF: { httpStatus: 403, type: 'payment_error', message: 'This device was added recently; larger payments open after the cooling-off period.' },
  DEVICE_LIMIT_REACHED: { httpStatus: 409, type: 'invalid_request_error', message: 'This account already has the most devices it may bind.' },
  PIN_REQUIRED: { httpStatus: 403, type: 'authentication_error', message: 'This payment needs the payment PIN.' },
  PIN_NOT_SET: { httpStatus: 409, type: 'invalid_request_error', message: 'Set a payment PIN first.' },
  PIN_INVALID: { httpStatus: 403, type: 'authentication_error', message: 'Wrong payment PIN.' },
  PIN_LOCKED: { httpStatus: 423, type: 'authentication_error', message: 'The payment PIN is locked after too many wrong attempts; reset it from a bound device with an identity check.' },
  IDENTITY_VERIFICATION_FAILED: { httpStatus: 422, type: 'invalid_request_error', message: 'The identity provider could not verify these details.' },
  MERCHANT_NOT_ACTIVE: { httpStatus: 409, type: 'invalid_request_error', message: 'This merchant cannot take payments now (pending review or suspended).' },
  QR_COUNTERFEIT: { httpStatus: 422, type: 'payment_error', message: 'This code claims to be a saoma merchant code but is not genuine: do not pay.' },
  QR_NOT_PAYABLE: { httpStatus: 422, type: 'invalid_request_error', message: 'This code is not a saoma payment code (a foreign scheme, a link or text).' },
  ORDER_EXPIRED: { httpStatus: 409, type: 'invalid_request_error', message: 'This order code has expired.' },
  ORDER_NOT_OPEN: { httpStatus: 409, type: 'invalid_request_error', message: 'This order was already paid or closed.' },
  ORDER_REFERENCE_EXISTS: { httpStatus: 409, type: 'invalid_request_error', message: 'An order with this reference already exists.' },
  INSUFFICIENT_FUNDS: { httpStatus: 402, type: 'payment_error', message: 'The wallet balance does not cover this payment.' },
  POLICY_LIMIT_EXCEEDED: { httpStatus: 402, type: 'payment_error', message: 'A payment limit of the policy would be exceeded.' },
  POLICY_CURRENCY_UNSUPPORTED: { httpStatus: 400, type: 'invalid_request_error', message: 'The policy pack does not cover this currency.' },
  SELF_PAYMENT: { httpStatus: 400, type: 'invalid_request_error', message: 'A payer cannot pay themselves.' },
  PAYMENT_NOT_FOUND: { httpStatus: 404, type: 'invalid_request_error', message: 'No such payment.' },
  PAYMENT_NOT_AWAITING_CONFIRMATION: { httpStatus: 409, type: 'invalid_request_error', message: 'This payment is not waiting for confirmation.' },
  PAYMENT_NOT_REFUNDABLE: { httpStatus: 409, type: 'invalid_request_error', message: 'This payment cannot be refunded.' },
  REFUND_EXCEEDS_PAYMENT: { httpStatus: 409, type: 'invalid_request_error', message: 'Refunds may not exceed the captured amount.' },
  REFUND_NOT_COVERED: { httpStatus: 409, type: 'payment_error', message: 'The merchant balance does not cover this refund now.' },
  CONCURRENT_UPDATE: { httpStatus: 409, type: 'invalid_request_error', message: 'Another change to this object happened at the same moment; retry.' },
  // Fraud reports filed from the wallet.
  FRAUD_REPORT_NOT_FOUND: { httpStatus: 404, type: 'invalid_request_error', message: 'No such fraud report.' },
  FRAUD_REPORT_EXISTS: { httpStatus: 409, type: 'invalid_request_error', message: 'This payment was already reported; its report goes on.' },
  // Bank transfers: top-ups, withdrawals, settlements (docs/decisions/0011).
  BANK_ACCOUNT_INVALID: { httpStatus: 400, type: 'invalid_request_error', message: 'A bank account number is 8 to 30 digits.' },
  BANK_TRANSFER_NOT_FOUND: { httpStatus: 404, type: 'invalid_request_error', message: 'No such bank transfer.' },
  // Risk engine (docs/decisions/0015).
  RISK_DECLINED: { httpStatus: 402, type: 'payment_error', message: 'This payment was declined to protect the account.' },
  RISK_CHALLENGE: { httpStatus: 403, type: 'authentication_error', message: 'Confirm this payment with a second factor (PIN or passkey user verification).' },
  RISK_RULE_SET_INVALID: { httpStatus: 400, type: 'invalid_request_error', message: 'The rule set is not valid.' },
  PAYMENT_NOT_HELD: { httpStatus: 409, type: 'invalid_request_error', message: 'This payment is not held for review.' },
  RISK_LABEL_NOT_ACTIVE: { httpStatus: 409, type: 'invalid_request_error', message: 'This party is not labelled fraud now: there is no label to withdraw.' },
  // Payment codes scanned by merchants (the reasons of src/core/qr/payment-code.ts, as HTTP errors).
  PAYMENT_CODE_MALFORMED: { httpStatus: 400, type: 'payment_error', message: 'Not a payment code: 18 digits expected.' },
  PAYMENT_CODE_UNKNOWN_PREFIX: { httpStatus: 400, type: 'payment_error', message: 'This is not a saoma payment code.' },
  PAYMENT_CODE_CHECK_FAILED: { httpStatus: 400, type: 'payment_error', message: 'The payment code was misread (check digit); scan again.' },
  PAYMENT_CODE_EXPIRED: { httpStatus: 409, type: 'payment_error', message: 'This payment code has expired; ask the customer to show a new one.' },
  PAYMENT_CODE_USED: { httpStatus: 409, type: 'payment_error', message: 'This payment code has already been used; ask the customer to show a new one.' },
  PAYMENT_CODE_INVALID: { httpStatus: 400, type: 'payment_error', message: 'This payment code is not valid.' },
  PAYMENT_CODE_MERCHANT_SUSPENDED: { httpStatus: 403, type: 'payment_error', message: 'Payment-code acceptance is suspended for this merchant after too many invalid codes.' },
  PAYMENT_CODE_RATE_LIMITED: { httpStatus: 429, type: 'rate_limit_error', message: 'Too many payment-code attempts; retry later.' },
  PAYMENT_CODE_DEVICE_LOCKED: { httpStatus: 403, type: 'payment_error', message: 'This customer\'s payment code is locked; they must re-enable it in their wallet.' },
  // Webhooks and live events (docs/webhooks.md).
  WEBHOOK_URL_INVALID: { httpStatus: 400, type: 'invalid_request_error', message: 'A webhook URL is an http or https URL without credentials, at most 2,048 characters.' },
  WEBHOOK_ENDPOINTS_LIMIT_REACHED: { httpStatus: 409, type: 'invalid_request_error', message: 'This merchant already has the most active webhook endpoints it may have; disable one first.' },
  LIVE_EVENTS_OVERLOADED: { httpStatus: 503, type: 'overloaded_error', message: 'Too many event streams are open; retry later.' },
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
