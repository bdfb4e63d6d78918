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
/** A key still marked in flight after this long was left by a request that died; a retry may take it over. */
export const IDEMPOTENCY_INFLIGHT_STALE_MS = 60_000;

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

// ---- Bank transfers: top-ups, withdrawals, settlements (docs/decisions/0011-bank-connector-and-settlement.md) ----
/** Largest single top-up and withdrawal (minor units; 50,000 yuan in CNY); larger sums go in several. */
export const TOPUP_MINOR_MAX = 5_000_000;
export const WITHDRAWAL_MINOR_MAX = 5_000_000;
/** Bank account numbers: digits only (domestic account numbers and IBAN-free formats), no separators. */
export const BANK_ACCOUNT_DIGITS_MIN = 8;
export const BANK_ACCOUNT_DIGITS_MAX = 30;
/** A bank's decline reason is kept up to this many characters. */
export const BANK_REASON_CHARS_MAX = 200;
/** When the job first re-drives a bank transfer its request left unfinished (transport failure, crash). */
export const BANK_DRIVE_DELAY_MS = 30_000;
/** How long the job keeps retrying a bank that does not answer before it leaves the transfer to an operator. */
export const BANK_DRIVE_GIVE_UP_AFTER_MS = 3 * 24 * 60 * 60 * 1000;
/** Merchants read per page by a settlement run (each is settled before the next page is read). */
export const SETTLEMENT_MERCHANTS_PAGE_MAX = 500;
/** Tries at one merchant's settlement hold when a payment or refund moved its balance since it was read. */
export const SETTLEMENT_HOLD_ATTEMPTS_MAX = 3;
// ---- end of bank transfers ----

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

// ---- Webhooks and live events (src/service/webhooks.ts, live-events.ts; docs/decisions/0009-webhooks-outbox.md) ----
/** A delivery that has not answered with a status by then counts as failed and is retried. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Endpoint URLs, and the description a merchant may give one. */
export const WEBHOOK_URL_CHARS_MAX = 2048;
export const WEBHOOK_DESCRIPTION_CHARS_MAX = 200;
/** Active endpoints one merchant may have. */
export const WEBHOOK_ENDPOINTS_PER_MERCHANT_MAX = 16;
/** A failing delivery is retried for at least this long after it was enqueued (DESIGN §6: 24 h)... */
export const WEBHOOK_RETRY_DURATION_MS_MIN = 24 * 60 * 60 * 1000;
/** ...and at least this many times, whichever ends later. */
export const WEBHOOK_ATTEMPTS_MIN = 25;
/** Retry backoff: exponential from the base, capped, with full jitter. */
export const WEBHOOK_RETRY_BACKOFF_MS_BASE = 5_000;
export const WEBHOOK_RETRY_BACKOFF_MS_MAX = 60 * 60 * 1000;
/** Deliveries leased per claim, all in flight at once (each ends within WEBHOOK_TIMEOUT_MS, well inside the job lease). */
export const WEBHOOK_DELIVERIES_CONCURRENT_MAX = 32;
/** The dispatcher reads the outbox this often, this many events at a time. */
export const WEBHOOK_DISPATCH_INTERVAL_MS = 250;
export const WEBHOOK_DISPATCH_EVENTS_MAX = 500;
/** Bytes of a receiver's response body read (and dropped) before the connection is cut. */
export const WEBHOOK_RESPONSE_BYTES_MAX = 64 * 1024;
/** Characters of a failed attempt's error kept in the attempts log. */
export const WEBHOOK_ERROR_CHARS_MAX = 500;
/**
 * Longest wait of an outbox reader for the writers in flight (PostgreSQL): below PostgreSQL's
 * deadlock_timeout (1 s), so in a lock cycle with a writer the reader gives up first, and retries.
 */
export const OUTBOX_READER_LOCK_WAIT_MS = 500;
export const OUTBOX_READER_LOCK_ATTEMPTS_MAX = 3;
/** Receivers refuse signatures whose timestamp is further than this from their clock (SDK default). */
export const WEBHOOK_SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;
/** Live events (SSE): outbox polling while anyone listens, and its batch. */
export const LIVE_EVENTS_POLL_INTERVAL_MS = 200;
export const LIVE_EVENTS_POLL_EVENTS_MAX = 1000;
/** Event streams open at once in one process; past it new streams get 503 at once. */
export const LIVE_EVENTS_SUBSCRIBERS_MAX = 1000;
/** Events replayed to a stream that reconnects with Last-Event-ID; older missed events are not. */
export const LIVE_EVENTS_REPLAY_EVENTS_MAX = 500;
/** A comment line keeps idle streams (and the proxies in between) open. */
export const LIVE_EVENTS_HEARTBEAT_MS = 15_000;
/** Bytes queued for a client that does not read; past it its stream is closed (it reconnects and replays). */
export const LIVE_EVENTS_CLIENT_BUFFER_BYTES_MAX = 1024 * 1024;
// ---- end of webhooks and live events ----

// Passkeys (WebAuthn, src/service/passkeys.ts; decision 0010).
/** How long the browser keeps a passkey prompt open (the options' `timeout`); the challenge's own expiry is the caller's. */
export const PASSKEY_CEREMONY_TIMEOUT_MS = 60_000;
/** Challenge bytes: WebAuthn asks for at least 16 random bytes; a payment challenge is a 32-byte SHA-256. */
export const PASSKEY_CHALLENGE_BYTES_MIN = 16;
export const PASSKEY_CHALLENGE_BYTES_MAX = 64;
/** WebAuthn's own caps: a user handle is at most 64 bytes, a credential id at most 1,023 bytes. */
export const PASSKEY_USER_ID_BYTES_MAX = 64;
export const PASSKEY_CREDENTIAL_ID_BYTES_MAX = 1023;
/** Credentials listed in one options object (`excludeCredentials`, `allowCredentials`). */
export const PASSKEY_LISTED_CREDENTIALS_MAX = 64;

// ---- Wallets, merchants and payments ----
/** A challenge (login, payment, confirmation, device approval) must be signed within this. */
export const CHALLENGE_TTL_MS = 2 * 60 * 1000;
/** Random bytes of a challenge's nonce. */
export const CHALLENGE_NONCE_BYTES = 16;
/** A wallet session (bound to one device) lives this long, then the device signs in again. */
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Devices one consumer may have bound at once. */
export const DEVICES_PER_CONSUMER_MAX = 5;
/** A device added by identity re-verification (not approved by an existing device) cools off this long... */
export const DEVICE_COOLING_OFF_MS = 24 * 60 * 60 * 1000;
/** ...during which one payment may not exceed this (CNY fen: 200 yuan). */
export const DEVICE_COOLING_OFF_PAYMENT_MINOR_MAX = 20_000n;
/** Payment PIN: digits, wrong attempts in a row before the lock, and how long the lock lasts. */
export const PIN_DIGITS = 6;
export const PIN_ATTEMPTS_MAX = 5;
export const PIN_LOCK_MS = 24 * 60 * 60 * 1000;
/** scrypt cost of PIN hashes (N = 2^15, r = 8, p = 1: 32 MiB, tens of milliseconds here). */
export const PIN_SCRYPT_N = 2 ** 15;
/** A merchant-scanned payment above the password-free limit waits this long for the consumer's confirmation. */
export const PAYMENT_CONFIRM_TIMEOUT_MS = 2 * 60 * 1000;
/** Dynamic order codes: default and longest life. */
export const ORDER_TTL_MS_DEFAULT = 15 * 60 * 1000;
export const ORDER_TTL_MS_MAX = 24 * 60 * 60 * 1000;
/** Merchant discount rate in basis points (0.38%, the common QR rate in China), and its ceiling. */
export const MERCHANT_FEE_RATE_BP_DEFAULT = 38;
export const MERCHANT_FEE_RATE_BP_MAX = 1000;
/** Personal receiving codes are for people, not shops (银发〔2021〕259号): receipts per policy day. */
export const PERSONAL_CODE_RECEIPTS_PER_DAY_MAX = 30;
export const PERSONAL_CODE_RECEIVED_DAILY_MINOR_MAX = 500_000n; // 5,000 yuan
/** Secret API keys and tills one merchant may have. */
export const MERCHANT_API_KEYS_MAX = 20;
export const MERCHANT_TILLS_MAX = 100;
/** Free-text fields (names, descriptions, references, labels), in characters. */
export const NAME_CHARS_MAX = 100;
export const DESCRIPTION_CHARS_MAX = 200;
export const REFERENCE_CHARS_MAX = 64;
/** Requests per minute per client address on the public (unauthenticated) wallet routes. */
export const HTTP_PUBLIC_RATE_LIMIT_PER_MINUTE = 120;

// ---- Risk engine (src/core/risk; docs/risk.md; docs/decisions/0015-risk-engine.md) ----
/** Rules in one rule set, and the size of one rule's condition (nodes, nesting). */
export const RISK_RULES_MAX = 200;
export const RISK_CONDITION_NODES_MAX = 64;
export const RISK_CONDITION_DEPTH_MAX = 8;
/** Rule ids, and the plain-words description of a rule (shown to analysts, and to customers where marked). */
export const RISK_RULE_ID_CHARS_MAX = 64;
export const RISK_RULE_DESCRIPTION_CHARS_MAX = 300;
/** Entries of a rule set's allow and block lists together. */
export const RISK_LIST_ENTRIES_MAX = 10_000;
/** Distinct counterparties remembered per key for fan-in and shared-device counts: counts saturate here. */
export const RISK_DISTINCT_PER_KEY_MAX = 64;
/** Places per payer whose usual payee is remembered (sticker-swap detection). */
export const RISK_PLACES_PER_PAYER_MAX = 16;
/** Keys (payers, devices, payees, addresses, codes, pairs) one in-memory feature store holds; the least recently updated go first. */
export const RISK_STORE_KEYS_MAX = 4_000_000;
/** Target of one decision (features read and rules evaluated) in-process, at the 99th percentile. */
export const RISK_DECISION_MS_P99_TARGET = 2;
// ---- end of risk engine ----

// ---- Risk engine wiring (src/service/risk.ts) ----
/** Days of payments replayed into the features when a process starts. */
export const RISK_WARMUP_DAYS = 7;
/** Most payments replayed at start (the newest first). */
export const RISK_WARMUP_PAYMENTS_MAX = 500_000;
/** A payment held for review waits this long for an analyst, then is released back to the payer. */
export const RISK_REVIEW_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** Recorded decisions a candidate rule set is dry-run against (the newest). */
export const RISK_DRY_RUN_DECISIONS_MAX = 20_000;
/** After a credential change, a PIN or passkey on the paying device no longer meets a challenge for this long: the payment is held instead. */
export const RISK_STEP_UP_DISTRUST_AFTER_CREDENTIAL_CHANGE_MS = 72 * 60 * 60 * 1000;
/** Ids one label withdrawal names, accounts, devices and codes together (an appeal is about one party, at most a few). */
export const RISK_LABEL_WITHDRAW_IDS_MAX = 20;
/** The reason an analyst gives for withdrawing a label, in characters (audited; "ok" is not a reason). */
export const RISK_LABEL_REASON_CHARS_MIN = 3;
export const RISK_LABEL_REASON_CHARS_MAX = 500;
/** Label rows a look-up of one party lists, the newest first. */
export const RISK_LABEL_HISTORY_ROWS_MAX = 100;
/** A party id (consumer, merchant, device, code): `prefix_` and base64url, at most as long as every other id the API takes. */
export const RISK_PARTY_ID_CHARS_MAX = 64;

// Fraud reports (wallet "this wasn't me", "report this code").
/** What a reporter may write about it. */
export const FRAUD_REPORT_DESCRIPTION_CHARS_MAX = 1000;
/** An analyst's note when changing a report's status. */
export const FRAUD_REPORT_NOTE_CHARS_MAX = 1000;
/** Code reports one consumer may file per day (a flood of reports would hold honest merchants). */
export const FRAUD_CODE_REPORTS_PER_DAY_MAX = 20;
