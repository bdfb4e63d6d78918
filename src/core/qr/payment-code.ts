// Consumer payment codes: the one-time number a consumer's device shows and a merchant scans.
// Layout, window and the brute-force argument: docs/decisions/0007-consumer-payment-codes.md.
//
//   77 DDDDDDD OOOOOOOO C      (18 ASCII digits; the QR content is the same 18 digits)
//   │  │       │        └ Damm check digit over the 17 digits before it
//   │  │       └ RFC 6238 TOTP, HMAC-SHA256, 8 digits, T0 = 0, X = PAYMENT_CODE_STEP_MS
//   │  └ device index, assigned by the server when the device is bound (zero-padded)
//   └ saoma's prefix, clear of WeChat (10-15), Alipay (25-30) and UnionPay (62)
//
// Runs unchanged in the browser and in Node 20: WebCrypto only (globalThis.crypto.subtle), no
// Node imports, no clock and no randomness (time comes in as nowMs).

import { assert } from '../errors.js';
import {
  PAYMENT_CODE_ATTEMPTS_PER_MERCHANT_PER_MINUTE_MAX,
  PAYMENT_CODE_EXPIRED_LOOKBACK_STEPS,
  PAYMENT_CODE_FAILED_ATTEMPTS_GLOBAL_PER_HOUR_MAX,
  PAYMENT_CODE_FAILED_ATTEMPTS_PER_DEVICE_MAX,
  PAYMENT_CODE_FAILED_ATTEMPTS_PER_MERCHANT_PER_DAY_MAX,
  PAYMENT_CODE_FAILED_ATTEMPTS_PER_MERCHANT_PER_MINUTE_MAX,
  PAYMENT_CODE_KEY_BYTES_MAX,
  PAYMENT_CODE_KEY_BYTES_MIN,
  PAYMENT_CODE_LATE_STEPS,
  PAYMENT_CODE_SKEW_STEPS,
  PAYMENT_CODE_STEP_MS,
  PAYMENT_CODE_VALID_MS_MAX,
} from '../limits.js';

// ---------------------------------------------------------------------------------------------
// Layout

/** saoma's payment-code prefix (the first two digits). */
export const PAYMENT_CODE_PREFIX = '77';
/** Digits of the whole code, of the device index, of the one-time password and of the check. */
export const PAYMENT_CODE_DIGITS = 18;
export const PAYMENT_CODE_DEVICE_INDEX_DIGITS = 7;
export const PAYMENT_CODE_OTP_DIGITS = 8;
export const PAYMENT_CODE_CHECK_DIGITS = 1;
/** Largest device index the layout can carry (9,999,999): 10 million bound devices per prefix. */
export const PAYMENT_CODE_DEVICE_INDEX_MAX = 10 ** PAYMENT_CODE_DEVICE_INDEX_DIGITS - 1;

const DEVICE_INDEX_AT = PAYMENT_CODE_PREFIX.length;
const OTP_AT = DEVICE_INDEX_AT + PAYMENT_CODE_DEVICE_INDEX_DIGITS;
const CHECK_AT = OTP_AT + PAYMENT_CODE_OTP_DIGITS;
const OTP_MODULUS = 10 ** PAYMENT_CODE_OTP_DIGITS;
/** Steps a server accepts at any moment: the current one, LATE behind and SKEW ahead. */
export const PAYMENT_CODE_ACCEPTED_STEPS = PAYMENT_CODE_LATE_STEPS + 1 + PAYMENT_CODE_SKEW_STEPS;

assert(
  PAYMENT_CODE_PREFIX.length + PAYMENT_CODE_DEVICE_INDEX_DIGITS + PAYMENT_CODE_OTP_DIGITS + PAYMENT_CODE_CHECK_DIGITS ===
    PAYMENT_CODE_DIGITS,
  'payment code fields add up to 18 digits',
);
assert(
  PAYMENT_CODE_STEP_MS * PAYMENT_CODE_ACCEPTED_STEPS <= PAYMENT_CODE_VALID_MS_MAX,
  'a payment code is accepted for at most PAYMENT_CODE_VALID_MS_MAX',
);
assert(Number.isInteger(PAYMENT_CODE_STEP_MS) && PAYMENT_CODE_STEP_MS > 0, 'PAYMENT_CODE_STEP_MS is a positive integer');

// ---------------------------------------------------------------------------------------------
// Result codes

/**
 * Stable codes of everything parsing, verifying or the attempt limits can answer besides success
 * (the last three come from decidePaymentCodeAttempt).
 */
export const PAYMENT_CODE_RESULT_CODES = [
  'PAYMENT_CODE_MALFORMED',
  'PAYMENT_CODE_UNKNOWN_PREFIX',
  'PAYMENT_CODE_CHECK_FAILED',
  'PAYMENT_CODE_EXPIRED',
  'PAYMENT_CODE_USED',
  'PAYMENT_CODE_INVALID',
  'PAYMENT_CODE_MERCHANT_SUSPENDED',
  'PAYMENT_CODE_RATE_LIMITED',
  'PAYMENT_CODE_DEVICE_LOCKED',
] as const;
export type PaymentCodeResultCode = (typeof PAYMENT_CODE_RESULT_CODES)[number];

/** Refused before any key is looked up: the 18 digits themselves are wrong. */
export type PaymentCodeParseErrorCode = 'PAYMENT_CODE_MALFORMED' | 'PAYMENT_CODE_UNKNOWN_PREFIX' | 'PAYMENT_CODE_CHECK_FAILED';

export type PaymentCodeParseResult =
  | { readonly ok: true; readonly deviceIndex: number; readonly otp: string }
  | { readonly ok: false; readonly code: PaymentCodeParseErrorCode; readonly message: string };

export type PaymentCodeVerifyResult =
  | { readonly ok: true; readonly deviceIndex: number; readonly stepIndex: number }
  | { readonly ok: false; readonly code: PaymentCodeParseErrorCode; readonly message: string }
  | {
      readonly ok: false;
      readonly code: 'PAYMENT_CODE_EXPIRED' | 'PAYMENT_CODE_USED';
      readonly message: string;
      /** The step the code was made for (it proves the key was known: not a guess). */
      readonly stepIndex: number;
    }
  | { readonly ok: false; readonly code: 'PAYMENT_CODE_INVALID'; readonly message: string };

/**
 * Whether a verification result counts as a failed attempt (a guess) against the merchant, the
 * device and the platform. Only INVALID does: EXPIRED and USED need the key to produce, and
 * MALFORMED, UNKNOWN_PREFIX and CHECK_FAILED are refused before any key is consulted.
 */
export function isFailedPaymentCodeAttempt(result: PaymentCodeVerifyResult | PaymentCodeParseResult): boolean {
  return !result.ok && result.code === 'PAYMENT_CODE_INVALID';
}

// ---------------------------------------------------------------------------------------------
// Keys (WebCrypto, so the same module runs in the browser and in Node)

type Subtle = (typeof globalThis)['crypto']['subtle'];
/** A WebCrypto key: HMAC with SHA-256, usable to sign, of at least PAYMENT_CODE_KEY_BYTES_MIN. */
export type PaymentCodeCryptoKey = Awaited<ReturnType<Subtle['importKey']>>;
/** The device's secret: a (possibly non-extractable) CryptoKey, or its raw bytes. */
export type PaymentCodeKey = PaymentCodeCryptoKey | Uint8Array;

interface HmacKeyAlgorithmLike {
  readonly name?: unknown;
  readonly hash?: { readonly name?: unknown };
  readonly length?: unknown;
}

function subtle(): Subtle {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new TypeError('WebCrypto (globalThis.crypto.subtle) is not available');
  return s;
}

/**
 * Imports raw secret bytes as a non-extractable HMAC-SHA256 signing key. Servers and SDKs that hold
 * raw bytes should import once and pass the CryptoKey, rather than raw bytes on every call.
 */
export async function importPaymentCodeKey(bytes: Uint8Array): Promise<PaymentCodeCryptoKey> {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('payment code key bytes must be a Uint8Array');
  if (bytes.length < PAYMENT_CODE_KEY_BYTES_MIN || bytes.length > PAYMENT_CODE_KEY_BYTES_MAX) {
    throw new RangeError(
      `payment code key must be ${PAYMENT_CODE_KEY_BYTES_MIN}-${PAYMENT_CODE_KEY_BYTES_MAX} bytes, got ${bytes.length}`,
    );
  }
  // A copy: WebCrypto wants an ArrayBuffer-backed view, and the caller may reuse its buffer.
  return subtle().importKey('raw', new Uint8Array(bytes), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/** Also true for a Uint8Array from another realm (an iframe, a test environment). */
function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || Object.prototype.toString.call(value) === '[object Uint8Array]';
}

async function toCryptoKey(key: PaymentCodeKey): Promise<PaymentCodeCryptoKey> {
  if (isBytes(key)) return importPaymentCodeKey(new Uint8Array(key));
  if (key === null || typeof key !== 'object') throw new TypeError('payment code key must be a CryptoKey or a Uint8Array');
  const algorithm = key.algorithm as HmacKeyAlgorithmLike;
  if (key.type !== 'secret' || algorithm.name !== 'HMAC' || algorithm.hash?.name !== 'SHA-256') {
    throw new TypeError('payment code key must be an HMAC SHA-256 secret key');
  }
  if (!key.usages.includes('sign')) throw new TypeError('payment code key must allow "sign"');
  if (typeof algorithm.length === 'number' && algorithm.length < PAYMENT_CODE_KEY_BYTES_MIN * 8) {
    throw new RangeError(`payment code key must be at least ${PAYMENT_CODE_KEY_BYTES_MIN} bytes`);
  }
  return key;
}

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 4226 dynamic truncation over HMAC-SHA256, as RFC 6238 does)

/** The 8-byte big-endian counter of RFC 4226 for a step index. */
function counterBytes(stepIndex: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, Math.floor(stepIndex / 2 ** 32));
  view.setUint32(4, stepIndex >>> 0);
  return bytes;
}

/** RFC 4226 §5.3 dynamic truncation of an HMAC to `digits` decimal digits (zero-padded). */
export function truncateHmac(hmac: Uint8Array, digits: number = PAYMENT_CODE_OTP_DIGITS): string {
  assert(hmac.length >= 20, 'an HMAC of at least 20 bytes');
  assert(Number.isInteger(digits) && digits >= 6 && digits <= 9, 'between 6 and 9 OTP digits');
  const offset = hmac[hmac.length - 1]! & 0x0f;
  const binary =
    ((hmac[offset]! & 0x7f) << 24) | (hmac[offset + 1]! << 16) | (hmac[offset + 2]! << 8) | hmac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

async function otpAt(key: PaymentCodeCryptoKey, stepIndex: number): Promise<string> {
  const mac = await subtle().sign('HMAC', key, counterBytes(stepIndex));
  return truncateHmac(new Uint8Array(mac), PAYMENT_CODE_OTP_DIGITS);
}

/**
 * The 8-digit one-time password of a step (RFC 6238 TOTP-SHA256 with the step counted by the
 * caller). Exposed for known-answer tests and for the SDK; most callers want generate/verify.
 */
export async function paymentCodeOtp(key: PaymentCodeKey, stepIndex: number): Promise<string> {
  if (!Number.isSafeInteger(stepIndex) || stepIndex < 0) throw new RangeError('stepIndex must be a non-negative safe integer');
  return otpAt(await toCryptoKey(key), stepIndex);
}

/** The step containing a moment: floor(nowMs / PAYMENT_CODE_STEP_MS), T0 = the Unix epoch. */
export function paymentCodeStepIndex(nowMs: number): number {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0) throw new RangeError('nowMs must be a non-negative safe integer');
  return Math.floor(nowMs / PAYMENT_CODE_STEP_MS);
}

/** Compares two digit strings without a data-dependent early exit (lengths are public). */
function equalDigitsConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

// ---------------------------------------------------------------------------------------------
// Damm check digit: catches every single-digit error and every adjacent transposition.

/** The weakly totally anti-symmetric quasigroup of order 10 from Damm (2004). */
export const DAMM_TABLE: readonly (readonly number[])[] = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

function dammInterim(digits: string): number {
  let interim = 0;
  for (let i = 0; i < digits.length; i++) interim = DAMM_TABLE[interim]![digits.charCodeAt(i) - 48]!;
  return interim;
}

/** The Damm check digit of a string of ASCII digits. */
export function dammCheckDigit(digits: string): string {
  assert(/^[0-9]*$/.test(digits), 'Damm input is ASCII digits');
  return String(dammInterim(digits));
}

// ---------------------------------------------------------------------------------------------
// Parse

const EIGHTEEN_DIGITS = /^[0-9]{18}$/;

/**
 * Whether scanned text is meant as a saoma payment code: exactly 18 ASCII digits starting with
 * saoma's prefix (nothing trimmed; scanners' line terminators are the caller's to strip). A
 * candidate may still fail its check digit: route it to parsePaymentCode, which says why.
 * WeChat (10-15), Alipay (25-30), UnionPay (62) codes, EMV payloads, URLs and text are not.
 */
export function isPaymentCodeCandidate(text: unknown): boolean {
  return (
    typeof text === 'string' && text.length === PAYMENT_CODE_DIGITS && EIGHTEEN_DIGITS.test(text) && text.startsWith(PAYMENT_CODE_PREFIX)
  );
}

/**
 * Reads the 18 digits: shape, prefix, then check digit. Pure and synchronous; never throws; the
 * messages never repeat the digits (a code is a credential until it is used).
 */
export function parsePaymentCode(digits: unknown): PaymentCodeParseResult {
  if (typeof digits !== 'string') return malformed(`expected a string of ${PAYMENT_CODE_DIGITS} digits, got ${typeof digits}`);
  if (digits.length !== PAYMENT_CODE_DIGITS) {
    return malformed(`expected ${PAYMENT_CODE_DIGITS} digits, got ${digits.length} characters`);
  }
  if (!EIGHTEEN_DIGITS.test(digits)) {
    const at = [...digits].findIndex((c) => c < '0' || c > '9');
    return malformed(`expected only the digits 0-9; position ${at} is not one`);
  }
  if (!digits.startsWith(PAYMENT_CODE_PREFIX)) {
    return {
      ok: false,
      code: 'PAYMENT_CODE_UNKNOWN_PREFIX',
      message: `not a saoma payment code: saoma codes start with ${PAYMENT_CODE_PREFIX}`,
    };
  }
  if (dammInterim(digits) !== 0) {
    return { ok: false, code: 'PAYMENT_CODE_CHECK_FAILED', message: 'the check digit does not match: the number was misread or mistyped' };
  }
  return { ok: true, deviceIndex: Number(digits.slice(DEVICE_INDEX_AT, OTP_AT)), otp: digits.slice(OTP_AT, CHECK_AT) };
}

function malformed(message: string): PaymentCodeParseResult {
  return { ok: false, code: 'PAYMENT_CODE_MALFORMED', message };
}

/** Assembles the 18 digits of a device index and an OTP (prefix and check digit added). */
export function formatPaymentCodeDigits(deviceIndex: number, otp: string): string {
  checkDeviceIndex(deviceIndex);
  assert(otp.length === PAYMENT_CODE_OTP_DIGITS && /^[0-9]+$/.test(otp), 'an OTP of 8 ASCII digits');
  const body = PAYMENT_CODE_PREFIX + String(deviceIndex).padStart(PAYMENT_CODE_DEVICE_INDEX_DIGITS, '0') + otp;
  return body + dammCheckDigit(body);
}

function checkDeviceIndex(deviceIndex: number): void {
  if (!Number.isSafeInteger(deviceIndex) || deviceIndex < 0 || deviceIndex > PAYMENT_CODE_DEVICE_INDEX_MAX) {
    throw new RangeError(`deviceIndex must be an integer from 0 to ${PAYMENT_CODE_DEVICE_INDEX_MAX}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Generate (on the device, offline)

export interface GeneratePaymentCodeInput {
  /** The device's secret established at binding. */
  readonly key: PaymentCodeKey;
  /** The index the server assigned to the device at binding. */
  readonly deviceIndex: number;
  /** The device's best idea of the time: its clock plus the offset last learnt from the server. */
  readonly nowMs: number;
}

export interface GeneratedPaymentCode {
  /** The 18 digits to show (and to put, unchanged, in the QR code). */
  readonly digits: string;
  readonly stepIndex: number;
  /** When the wallet should show the next code: the start of the next step. */
  readonly refreshAtMs: number;
  /** From this moment (by a clock that agrees with the server's) the server refuses the code. */
  readonly expiresAtMs: number;
}

/** Makes the code of the step containing nowMs. Deterministic: same key, index and step → same code. */
export async function generatePaymentCode(input: GeneratePaymentCodeInput): Promise<GeneratedPaymentCode> {
  checkDeviceIndex(input.deviceIndex);
  const stepIndex = paymentCodeStepIndex(input.nowMs);
  const otp = await otpAt(await toCryptoKey(input.key), stepIndex);
  return {
    digits: formatPaymentCodeDigits(input.deviceIndex, otp),
    stepIndex,
    refreshAtMs: (stepIndex + 1) * PAYMENT_CODE_STEP_MS,
    expiresAtMs: (stepIndex + 1 + PAYMENT_CODE_LATE_STEPS) * PAYMENT_CODE_STEP_MS,
  };
}

// ---------------------------------------------------------------------------------------------
// Verify (on the server, with the key of the device the digits name)

export interface VerifyPaymentCodeInput {
  /** The scanned 18 digits (untrusted). */
  readonly digits: unknown;
  /** The secret of the device whose index parsePaymentCode read from these digits. */
  readonly key: PaymentCodeKey;
  /** The server's clock. */
  readonly nowMs: number;
  /**
   * The highest step already accepted for this device (undefined if none): a code of this step or
   * an earlier one is refused as USED, so every code pays once and only codes newer than the last
   * payment can pay at all.
   */
  readonly lastUsedStep?: number | undefined;
}

/**
 * Decides whether the digits are a live, unused code of the device whose key is given. Accepts the
 * steps from LATE_STEPS behind to SKEW_STEPS ahead of the server's step: a code of step k is
 * accepted while nowMs is in [(k − SKEW) × STEP, (k + LATE + 1) × STEP), 60 s. A code matching one
 * of the EXPIRED_LOOKBACK_STEPS steps before that window is EXPIRED; a code matching a step at or
 * below lastUsedStep is USED; anything else is INVALID (a wrong key, a code from the future beyond
 * the skew allowance, or a guess). On success the caller must record stepIndex as the device's
 * lastUsedStep in the same transaction that takes the payment, only if it is still higher.
 * Never throws for bad digits; throws a RangeError/TypeError for a bad nowMs, lastUsedStep or key.
 */
export async function verifyPaymentCode(input: VerifyPaymentCodeInput): Promise<PaymentCodeVerifyResult> {
  const { lastUsedStep } = input;
  if (lastUsedStep !== undefined && (!Number.isSafeInteger(lastUsedStep) || lastUsedStep < 0)) {
    throw new RangeError('lastUsedStep must be a non-negative safe integer or undefined');
  }
  const currentStep = paymentCodeStepIndex(input.nowMs);
  const key = await toCryptoKey(input.key);
  const parsed = parsePaymentCode(input.digits);
  if (!parsed.ok) return parsed;

  const newestStep = currentStep + PAYMENT_CODE_SKEW_STEPS;
  const oldestAcceptedStep = currentStep - PAYMENT_CODE_LATE_STEPS;
  const oldestKnownStep = Math.max(0, oldestAcceptedStep - PAYMENT_CODE_EXPIRED_LOOKBACK_STEPS);
  const steps: number[] = [];
  for (let step = newestStep; step >= oldestKnownStep; step--) steps.push(step);
  // Every candidate step is computed and compared, whatever matches, so the work does not depend on
  // which step (if any) the digits belong to.
  const otps = await Promise.all(steps.map((step) => otpAt(key, step)));
  let accepted: number | undefined;
  let used: number | undefined;
  let expired: number | undefined;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const match = equalDigitsConstantTime(otps[i]!, parsed.otp);
    if (!match) continue;
    const isUsed = lastUsedStep !== undefined && step <= lastUsedStep;
    // Newest first: the first match of each kind is the highest step of that kind.
    if (isUsed) used ??= step;
    else if (step >= oldestAcceptedStep) accepted ??= step;
    else expired ??= step;
  }
  if (accepted !== undefined) return { ok: true, deviceIndex: parsed.deviceIndex, stepIndex: accepted };
  if (used !== undefined) {
    return { ok: false, code: 'PAYMENT_CODE_USED', message: 'this payment code has already been used; show a new one', stepIndex: used };
  }
  if (expired !== undefined) {
    return { ok: false, code: 'PAYMENT_CODE_EXPIRED', message: 'this payment code has expired; show a new one', stepIndex: expired };
  }
  return { ok: false, code: 'PAYMENT_CODE_INVALID', message: 'this payment code is not valid' };
}

// ---------------------------------------------------------------------------------------------
// Attempt limits: the pure decision; the service keeps the counters (docs/decisions/0007).

export interface PaymentCodeAttemptCounts {
  /** Verifications this merchant asked for in the last minute, whatever their outcome. */
  readonly merchantAttemptsLastMinute: number;
  /** INVALID results of this merchant in the last minute. */
  readonly merchantFailedAttemptsLastMinute: number;
  /** INVALID results of this merchant in the last 24 hours. */
  readonly merchantFailedAttemptsLastDay: number;
  /** INVALID results platform-wide in the last hour. */
  readonly globalFailedAttemptsLastHour: number;
  /**
   * INVALID results against the device since its last accepted code or its holder's last
   * re-enable; undefined while the device is not known (before parsing, or no such device).
   */
  readonly deviceFailedAttemptsConsecutive?: number | undefined;
}

export type PaymentCodeAttemptRefusalCode =
  | 'PAYMENT_CODE_MERCHANT_SUSPENDED'
  | 'PAYMENT_CODE_RATE_LIMITED'
  | 'PAYMENT_CODE_DEVICE_LOCKED';

export type PaymentCodeAttemptDecision =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: PaymentCodeAttemptRefusalCode;
      readonly scope: 'merchant' | 'global' | 'device';
      readonly message: string;
    };

/**
 * Whether one more verification may run, from the counters as they stand before it. Each cap is
 * the most failures that can ever happen in its window: the attempt that reaches it is the last.
 */
export function decidePaymentCodeAttempt(counts: PaymentCodeAttemptCounts): PaymentCodeAttemptDecision {
  for (const [name, value] of Object.entries(counts)) {
    if (value !== undefined) assert(Number.isSafeInteger(value) && value >= 0, `${name} is a non-negative integer`);
  }
  if (counts.merchantFailedAttemptsLastDay >= PAYMENT_CODE_FAILED_ATTEMPTS_PER_MERCHANT_PER_DAY_MAX) {
    return {
      ok: false,
      code: 'PAYMENT_CODE_MERCHANT_SUSPENDED',
      scope: 'merchant',
      message: 'payment-code acceptance is suspended for this merchant after too many invalid codes; contact support',
    };
  }
  if (
    counts.merchantFailedAttemptsLastMinute >= PAYMENT_CODE_FAILED_ATTEMPTS_PER_MERCHANT_PER_MINUTE_MAX ||
    counts.merchantAttemptsLastMinute >= PAYMENT_CODE_ATTEMPTS_PER_MERCHANT_PER_MINUTE_MAX
  ) {
    return { ok: false, code: 'PAYMENT_CODE_RATE_LIMITED', scope: 'merchant', message: 'too many payment-code attempts; retry in a minute' };
  }
  if (counts.globalFailedAttemptsLastHour >= PAYMENT_CODE_FAILED_ATTEMPTS_GLOBAL_PER_HOUR_MAX && counts.merchantFailedAttemptsLastDay > 0) {
    return {
      ok: false,
      code: 'PAYMENT_CODE_RATE_LIMITED',
      scope: 'global',
      message: 'payment-code verification is restricted platform-wide; retry later',
    };
  }
  if (
    counts.deviceFailedAttemptsConsecutive !== undefined &&
    counts.deviceFailedAttemptsConsecutive >= PAYMENT_CODE_FAILED_ATTEMPTS_PER_DEVICE_MAX
  ) {
    return {
      ok: false,
      code: 'PAYMENT_CODE_DEVICE_LOCKED',
      scope: 'device',
      message: "this consumer's payment code is locked; they must re-enable it in their wallet",
    };
  }
  return { ok: true };
}
