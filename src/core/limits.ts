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

// ---- Consumer payment codes (src/core/qr/payment-code.ts; docs/decisions/0007-consumer-payment-codes.md) ----
/** One time step of a payment code (RFC 6238 "X"): the device shows a new code every 20 s. */
export const PAYMENT_CODE_STEP_MS = 20_000;
/** Steps behind the server's current step still accepted: scan and network delay, a device clock behind. */
export const PAYMENT_CODE_LATE_STEPS = 1;
/** Steps ahead of the server's current step accepted: a device clock ahead. */
export const PAYMENT_CODE_SKEW_STEPS = 1;
/** Longest time the server accepts any one code; STEP_MS × (LATE_STEPS + 1 + SKEW_STEPS) may not pass it. */
export const PAYMENT_CODE_VALID_MS_MAX = 60_000;
/** Steps before the accepted window in which a matching code is answered EXPIRED, not INVALID: 5 minutes. */
export const PAYMENT_CODE_EXPIRED_LOOKBACK_STEPS = 15;
/** Length of a device's payment-code secret (HMAC-SHA256 key), established when the device is bound. */
export const PAYMENT_CODE_KEY_BYTES_MIN = 32;
export const PAYMENT_CODE_KEY_BYTES_MAX = 64;
/** Payment-code verifications one merchant may ask for per minute, whatever their outcome. */
export const PAYMENT_CODE_ATTEMPTS_PER_MERCHANT_PER_MINUTE_MAX = 300;
/** Failed (INVALID) verifications per merchant per minute; past it the merchant waits out the minute. */
export const PAYMENT_CODE_FAILED_ATTEMPTS_PER_MERCHANT_PER_MINUTE_MAX = 5;
/** Failed verifications per merchant per rolling 24 h; reaching it suspends the merchant's acceptance until reviewed. */
export const PAYMENT_CODE_FAILED_ATTEMPTS_PER_MERCHANT_PER_DAY_MAX = 50;
/** Consecutive failed verifications against one device; reaching it locks its payment code until the holder re-enables it. */
export const PAYMENT_CODE_FAILED_ATTEMPTS_PER_DEVICE_MAX = 10;
/** Failed verifications platform-wide per rolling hour; past it merchants with a failure in the last 24 h are refused. */
export const PAYMENT_CODE_FAILED_ATTEMPTS_GLOBAL_PER_HOUR_MAX = 200;
// ---- end of consumer payment codes ----
/** Wallets may cache the published QR key set this long (a revocation reaches them within it). */
export const QR_KEYS_CACHE_SECONDS = 300;
/** Idempotency keys: their length, and how long a stored response is replayed. */
export const IDEMPOTENCY_KEY_LENGTH_MAX = 255;
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;

/** cn-pboc (Barcode Payment Business Specification, 2018): same-customer daily caps per level, CNY fen. */
export const CN_PBOC_LEVEL_B_DAILY_MINOR_MAX = 500_000n; // 5,000 yuan
export const CN_PBOC_LEVEL_C_DAILY_MINOR_MAX = 100_000n; // 1,000 yuan, with the unconditional compensation promise
export const CN_PBOC_LEVEL_D_DAILY_MINOR_MAX = 50_000n; // 500 yuan: static codes, whatever the verification
/** Level A is "by agreement"; this is the agreement a customer has until they agree on another. */
export const CN_PBOC_LEVEL_A_DAILY_MINOR_DEFAULT = 5_000_000n; // 50,000 yuan
/** Payment-account classes (PBOC 公告〔2015〕第43号): caps on balance payments, CNY fen. */
export const CN_PBOC_CLASS_I_SINCE_OPENING_MINOR_MAX = 100_000n; // 1,000 yuan since the account was opened
export const CN_PBOC_CLASS_II_YEARLY_MINOR_MAX = 10_000_000n; // 100,000 yuan a year
export const CN_PBOC_CLASS_III_YEARLY_MINOR_MAX = 20_000_000n; // 200,000 yuan a year
/** A merchant-scanned payment code up to this amount needs no PIN (a product choice, not a PBOC number). */
export const CN_PBOC_PASSWORD_FREE_MINOR_MAX = 20_000n; // 200 yuan
/** The policy's calendar: Asia/Shanghai, UTC+8 all year (no daylight saving since 1991). */
export const CN_PBOC_UTC_OFFSET_MS = 8 * 60 * 60 * 1000;

// QR images (src/images): rendering and decoding.
/** Largest image file decodeQrImage accepts: 10 MiB. */
export const IMAGE_INPUT_BYTES_MAX = 10 * 1024 * 1024;
/** Largest width or height of an image to decode, read from its header before any pixel is decoded. */
export const IMAGE_SIDE_PX_MAX = 4096;
/** Largest pixel count of an image to decode (4096 × 4096 = 16 Mpx, 64 MiB as RGBA). */
export const IMAGE_PIXELS_MAX = IMAGE_SIDE_PX_MAX * IMAGE_SIDE_PX_MAX;
/** Memory the JPEG decoder may allocate for one image. */
export const IMAGE_JPEG_DECODE_MEMORY_MIB_MAX = 256;

/**
 * Longest payload to render, in UTF-8 bytes. EMV merchant payloads "should not exceed 512
 * characters" (at most 2,048 bytes even if every one were a 4-byte character); URLs stay below
 * 2,048 bytes. Fits a version-40 symbol at levels L and M (2,953 and 2,331 bytes), not Q or H.
 */
export const QR_PAYLOAD_BYTES_MAX = 2048;
/** Quiet zone around the symbol: ISO/IEC 18004 asks for 4 modules. */
export const QR_MARGIN_MODULES_DEFAULT = 4;
export const QR_MARGIN_MODULES_MAX = 16;
/** Pixels per module of rendered PNGs (and of the width/height given to standalone SVGs). */
export const QR_SCALE_PX_DEFAULT = 8;
export const QR_SCALE_PX_MAX = 32;

/** Longest registered name, subtitle and caption a poster prints, in characters (code points). */
export const POSTER_NAME_CHARS_MAX = 100;
export const POSTER_SUBTITLE_CHARS_MAX = 100;
export const POSTER_CAPTION_CHARS_MAX = 60;
