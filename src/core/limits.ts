// Every numeric limit of the platform, named with its unit. Enforced at the edge, asserted in the core.

/** Largest amount a single transfer may carry: JSON parsers silently round past 2^53-1. */
export const AMOUNT_MINOR_MAX = Number.MAX_SAFE_INTEGER;
/** Balances are stored as signed 64-bit integers; a transfer that would pass this overflows. */
export const BALANCE_MINOR_MAX = 2n ** 63n - 1n;

/** Ids chosen by clients for accounts and transfers. */
export const LEDGER_ID_LENGTH_MAX = 64;
/** Transfers or accounts in one API call or one writer request. */
export const LEDGER_BATCH_ITEMS_MAX = 8190;
/** Items the writer folds into one database transaction (group commit). */
export const LEDGER_COMMIT_ITEMS_MAX = 8190;
/** Items waiting in the writer's queue before callers are told to retry later. */
export const LEDGER_QUEUE_ITEMS_MAX = 200_000;
/** Longest timeout a pending (two-phase) transfer may ask for: 7 days. */
export const PENDING_TIMEOUT_MS_MAX = 7 * 24 * 60 * 60 * 1000;

/** Page size of account-transfer listings. */
export const LIST_PAGE_SIZE_DEFAULT = 50;
export const LIST_PAGE_SIZE_MAX = 500;

/** JSON request bodies. */
export const HTTP_BODY_BYTES_MAX = 4 * 1024 * 1024;
/** Requests per minute per client address on the staff API. */
export const HTTP_RATE_LIMIT_PER_MINUTE = 6000;

/** Durable job runner. */
export const JOB_LEASE_MS = 30_000;
export const JOB_ATTEMPTS_MAX = 25;
export const JOB_CLAIM_BATCH_MAX = 100;
export const JOB_POLL_INTERVAL_MS = 250;
export const JOB_RETRY_BACKOFF_MS_BASE = 1_000;
export const JOB_RETRY_BACKOFF_MS_MAX = 60 * 60 * 1000;
/** Requests being served at once; past it the server answers 503 with Retry-After at once. */
export const HTTP_INFLIGHT_REQUESTS_MAX = 4096;

/** QR payloads: EMV says a payload should not exceed 512 characters; longer ones get a warning. */
export const QR_PAYLOAD_CHARS_SPEC = 512;
/** Nothing longer is read at all (bounds the decoder's work on hostile input). */
export const QR_PAYLOAD_CHARS_MAX = 4096;
