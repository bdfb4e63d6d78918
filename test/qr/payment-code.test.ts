import { createHmac, webcrypto } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PAYMENT_CODE_ATTEMPTS_PER_MERCHANT_PER_MINUTE_MAX,
  PAYMENT_CODE_EXPIRED_LOOKBACK_STEPS,
  PAYMENT_CODE_FAILED_ATTEMPTS_GLOBAL_PER_HOUR_MAX,
  PAYMENT_CODE_FAILED_ATTEMPTS_PER_DEVICE_MAX,
  PAYMENT_CODE_FAILED_ATTEMPTS_PER_MERCHANT_PER_DAY_MAX,
  PAYMENT_CODE_FAILED_ATTEMPTS_PER_MERCHANT_PER_MINUTE_MAX,
  PAYMENT_CODE_LATE_STEPS,
  PAYMENT_CODE_SKEW_STEPS,
  PAYMENT_CODE_STEP_MS,
  PAYMENT_CODE_VALID_MS_MAX,
} from '../../src/core/limits.js';
import {
  DAMM_TABLE,
  PAYMENT_CODE_ACCEPTED_STEPS,
  PAYMENT_CODE_DEVICE_INDEX_MAX,
  PAYMENT_CODE_PREFIX,
  PAYMENT_CODE_RESULT_CODES,
  dammCheckDigit,
  decidePaymentCodeAttempt,
  generatePaymentCode,
  importPaymentCodeKey,
  isFailedPaymentCodeAttempt,
  isPaymentCodeCandidate,
  parsePaymentCode,
  paymentCodeOtp,
  truncateHmac,
  verifyPaymentCode,
  type PaymentCodeAttemptCounts,
  type PaymentCodeVerifyResult,
} from '../../src/core/qr/payment-code.js';

const SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/core/qr/payment-code.ts');
const S = PAYMENT_CODE_STEP_MS;

// ----- an independent reference, written from RFC 4226 / RFC 6238 with node:crypto -----

function referenceOtp(key: Uint8Array, counter: number, digits = 8, algorithm = 'sha256'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

const RFC6238_SHA256_SEED = new TextEncoder().encode('12345678901234567890123456789012');
const KEY_A = new Uint8Array(32).map((_, i) => i + 1);
const KEY_B = new Uint8Array(32).map((_, i) => 255 - i);
/** A moment on a step boundary, plus 7 s: the step is STEP_K. */
const STEP_K = 85_000_000; // 2023-11-14
const T0 = STEP_K * S + 7_000;

function expectRefused(result: PaymentCodeVerifyResult, code: string): void {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.code).toBe(code);
}

function replaceAt(text: string, index: number, char: string): string {
  return text.slice(0, index) + char + text.slice(index + 1);
}

describe('TOTP truncation: known answers', () => {
  it('matches the RFC 6238 Appendix B SHA-256 vectors (8 digits, X = 30 s, T0 = 0)', async () => {
    const vectors: [number, string][] = [
      [59, '46119246'],
      [1111111109, '68084774'],
      [1111111111, '67062674'],
      [1234567890, '91819424'],
      [2000000000, '90698825'],
      [20000000000, '77737706'],
    ];
    for (const [seconds, expected] of vectors) {
      const counter = Math.floor(seconds / 30);
      expect(referenceOtp(RFC6238_SHA256_SEED, counter)).toBe(expected);
      expect(await paymentCodeOtp(RFC6238_SHA256_SEED, counter)).toBe(expected);
    }
  });

  it('truncates like RFC 4226 Appendix D (HMAC-SHA-1, 6 digits)', () => {
    const secret = new TextEncoder().encode('12345678901234567890');
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expected.forEach((otp, counter) => {
      const message = Buffer.alloc(8);
      message.writeBigUInt64BE(BigInt(counter));
      expect(truncateHmac(createHmac('sha1', secret).update(message).digest(), 6)).toBe(otp);
    });
  });

  it('agrees with the node:crypto reference for random keys and steps, including counters past 2^32', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 64 }),
        fc.oneof(fc.integer({ min: 0, max: 2 ** 32 + 10 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
        async (key, step) => {
          expect(await paymentCodeOtp(key, step)).toBe(referenceOtp(key, step));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Damm check digit', () => {
  it('gives the published example: 572 → 4', () => {
    expect(dammCheckDigit('572')).toBe('4');
  });

  it('uses a table that detects every single-digit error and every adjacent transposition', () => {
    const t = DAMM_TABLE;
    for (let i = 0; i < 10; i++) {
      expect(new Set(t[i]).size, `row ${i} is a permutation`).toBe(10);
      expect(new Set(t.map((row) => row[i])).size, `column ${i} is a permutation`).toBe(10);
      expect(t[i]![i]).toBe(0);
    }
    // Weak total anti-symmetry: swapping two different adjacent digits changes the interim digit.
    for (let c = 0; c < 10; c++)
      for (let x = 0; x < 10; x++)
        for (let y = 0; y < 10; y++) if (x !== y) expect(t[t[c]![x]!]![y]).not.toBe(t[t[c]![y]!]![x]);
  });
});

describe('generatePaymentCode', () => {
  it('lays out prefix, device index, RFC 6238 OTP and check digit in 18 digits', async () => {
    const code = await generatePaymentCode({ key: KEY_A, deviceIndex: 42, nowMs: T0 });
    const otp = referenceOtp(KEY_A, STEP_K);
    const body = `${PAYMENT_CODE_PREFIX}0000042${otp}`;
    expect(code.digits).toBe(body + dammCheckDigit(body));
    expect(code.digits).toMatch(/^77[0-9]{16}$/);
    expect(code.stepIndex).toBe(STEP_K);
    expect(code.refreshAtMs).toBe((STEP_K + 1) * S);
    expect(code.expiresAtMs).toBe((STEP_K + 1 + PAYMENT_CODE_LATE_STEPS) * S);
    expect(code.expiresAtMs - T0).toBeLessThanOrEqual(PAYMENT_CODE_VALID_MS_MAX);
  });

  it('reproduces the test vectors of docs/decisions/0007', async () => {
    const key = RFC6238_SHA256_SEED;
    expect(referenceOtp(key, 55_555_555)).toBe('59029434');
    expect(dammCheckDigit('77000004259029434')).toBe('4');
    expect(await generatePaymentCode({ key, deviceIndex: 42, nowMs: 1_111_111_111_000 })).toEqual({
      digits: '770000042590294344',
      stepIndex: 55_555_555,
      refreshAtMs: 1_111_111_120_000,
      expiresAtMs: 1_111_111_140_000,
    });
    const doc = fs.readFileSync(path.resolve(path.dirname(SOURCE), '../../../docs/decisions/0007-consumer-payment-codes.md'), 'utf8');
    expect(doc).toContain('`770000042590294344`');
    expect(doc).toContain('`nowMs = 1111111111000`');
  });

  it('is deterministic for the same key, device and step, and changes every step', async () => {
    const a = await generatePaymentCode({ key: KEY_A, deviceIndex: 7, nowMs: T0 });
    const b = await generatePaymentCode({ key: KEY_A, deviceIndex: 7, nowMs: STEP_K * S + S - 1 });
    expect(b).toEqual({ ...a });
    let previous = a.digits;
    for (let step = STEP_K + 1; step < STEP_K + 50; step++) {
      const next = await generatePaymentCode({ key: KEY_A, deviceIndex: 7, nowMs: step * S });
      expect(next.stepIndex).toBe(step);
      expect(next.digits).not.toBe(previous);
      previous = next.digits;
    }
  });

  it('gives the same code for a CryptoKey (non-extractable) and for its raw bytes', async () => {
    const cryptoKey = await webcrypto.subtle.importKey('raw', KEY_A, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const viaImport = await importPaymentCodeKey(KEY_A);
    for (const nowMs of [0, T0, T0 + 123_456_789]) {
      const raw = await generatePaymentCode({ key: KEY_A, deviceIndex: 9_999_999, nowMs });
      expect(await generatePaymentCode({ key: cryptoKey, deviceIndex: 9_999_999, nowMs })).toEqual(raw);
      expect(await generatePaymentCode({ key: viaImport, deviceIndex: 9_999_999, nowMs })).toEqual(raw);
    }
  });

  it('works with a key generated inside WebCrypto that can never be read out', async () => {
    const key = await webcrypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign']);
    const code = await generatePaymentCode({ key, deviceIndex: 1, nowMs: T0 });
    expect(await verifyPaymentCode({ digits: code.digits, key, nowMs: T0 + 5_000 })).toEqual({
      ok: true,
      deviceIndex: 1,
      stepIndex: STEP_K,
    });
  });

  it('refuses bad arguments loudly (programmer errors, not scanned input)', async () => {
    await expect(generatePaymentCode({ key: KEY_A, deviceIndex: -1, nowMs: T0 })).rejects.toThrow(RangeError);
    await expect(generatePaymentCode({ key: KEY_A, deviceIndex: PAYMENT_CODE_DEVICE_INDEX_MAX + 1, nowMs: T0 })).rejects.toThrow(RangeError);
    await expect(generatePaymentCode({ key: KEY_A, deviceIndex: 1.5, nowMs: T0 })).rejects.toThrow(RangeError);
    await expect(generatePaymentCode({ key: KEY_A, deviceIndex: 1, nowMs: Number.NaN })).rejects.toThrow(RangeError);
    await expect(generatePaymentCode({ key: KEY_A, deviceIndex: 1, nowMs: -1 })).rejects.toThrow(RangeError);
    await expect(generatePaymentCode({ key: new Uint8Array(31), deviceIndex: 1, nowMs: T0 })).rejects.toThrow(RangeError);
    await expect(generatePaymentCode({ key: new Uint8Array(65), deviceIndex: 1, nowMs: T0 })).rejects.toThrow(RangeError);
    const sha1 = await webcrypto.subtle.importKey('raw', KEY_A, { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    await expect(generatePaymentCode({ key: sha1, deviceIndex: 1, nowMs: T0 })).rejects.toThrow(TypeError);
    const aes = await webcrypto.subtle.importKey('raw', KEY_A, { name: 'AES-GCM' }, false, ['encrypt']);
    await expect(generatePaymentCode({ key: aes, deviceIndex: 1, nowMs: T0 })).rejects.toThrow(TypeError);
    const verifyOnly = await webcrypto.subtle.importKey('raw', KEY_A, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    await expect(generatePaymentCode({ key: verifyOnly, deviceIndex: 1, nowMs: T0 })).rejects.toThrow(TypeError);
    const short = await webcrypto.subtle.importKey('raw', new Uint8Array(16), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    await expect(generatePaymentCode({ key: short, deviceIndex: 1, nowMs: T0 })).rejects.toThrow(RangeError);
  });
});

describe('verifyPaymentCode: the window', () => {
  it('keeps the window within PAYMENT_CODE_VALID_MS_MAX', () => {
    expect(PAYMENT_CODE_ACCEPTED_STEPS).toBe(PAYMENT_CODE_LATE_STEPS + 1 + PAYMENT_CODE_SKEW_STEPS);
    expect(S * PAYMENT_CODE_ACCEPTED_STEPS).toBeLessThanOrEqual(PAYMENT_CODE_VALID_MS_MAX);
    expect(PAYMENT_CODE_VALID_MS_MAX).toBeLessThanOrEqual(60_000);
  });

  it('accepts a code of step k exactly while the server is in [(k − SKEW)·S, (k + LATE + 1)·S)', async () => {
    const { digits, expiresAtMs } = await generatePaymentCode({ key: KEY_A, deviceIndex: 123, nowMs: T0 });
    const firstMs = (STEP_K - PAYMENT_CODE_SKEW_STEPS) * S;
    const endMs = (STEP_K + PAYMENT_CODE_LATE_STEPS + 1) * S;
    expect(endMs).toBe(expiresAtMs);
    expect(endMs - firstMs).toBe(S * PAYMENT_CODE_ACCEPTED_STEPS);
    for (const nowMs of [firstMs, firstMs + 1, STEP_K * S - 1, STEP_K * S, T0, (STEP_K + 1) * S, endMs - 1]) {
      expect(await verifyPaymentCode({ digits, key: KEY_A, nowMs }), `at ${nowMs - STEP_K * S} ms`).toEqual({
        ok: true,
        deviceIndex: 123,
        stepIndex: STEP_K,
      });
    }
    // One millisecond before the skew allowance: a code from the future is not accepted (and not
    // recognised either: that would let a guesser learn future codes).
    expectRefused(await verifyPaymentCode({ digits, key: KEY_A, nowMs: firstMs - 1 }), 'PAYMENT_CODE_INVALID');
    // At expiresAtMs: expired, recognised as an honest late code rather than a guess.
    const late = await verifyPaymentCode({ digits, key: KEY_A, nowMs: endMs });
    expect(late).toEqual(expect.objectContaining({ ok: false, code: 'PAYMENT_CODE_EXPIRED', stepIndex: STEP_K }));
    expect(isFailedPaymentCodeAttempt(late)).toBe(false);
    // Recognised as expired for EXPIRED_LOOKBACK_STEPS steps, then just invalid.
    const lookbackEndMs = endMs + PAYMENT_CODE_EXPIRED_LOOKBACK_STEPS * S;
    expectRefused(await verifyPaymentCode({ digits, key: KEY_A, nowMs: lookbackEndMs - 1 }), 'PAYMENT_CODE_EXPIRED');
    const gone = await verifyPaymentCode({ digits, key: KEY_A, nowMs: lookbackEndMs });
    expectRefused(gone, 'PAYMENT_CODE_INVALID');
    expect(isFailedPaymentCodeAttempt(gone)).toBe(true);
  });

  it('tolerates a device clock off by up to a step either way (and the scan delay)', async () => {
    const serverMs = T0;
    for (const offsetMs of [-S, -S + 1, -7_000, 0, 7_000, S - 1]) {
      const { digits } = await generatePaymentCode({ key: KEY_A, deviceIndex: 5, nowMs: serverMs + offsetMs });
      const result = await verifyPaymentCode({ digits, key: KEY_A, nowMs: serverMs });
      expect(result.ok, `device clock off by ${offsetMs} ms`).toBe(true);
    }
    // A device two steps ahead is refused: the window never stretches past 60 s.
    const ahead = await generatePaymentCode({ key: KEY_A, deviceIndex: 5, nowMs: (STEP_K + 2) * S });
    expectRefused(await verifyPaymentCode({ digits: ahead.digits, key: KEY_A, nowMs: serverMs }), 'PAYMENT_CODE_INVALID');
  });

  it('works at the very start of time (no negative steps looked at)', async () => {
    const { digits } = await generatePaymentCode({ key: KEY_A, deviceIndex: 0, nowMs: 0 });
    expect(digits.slice(0, 9)).toBe('770000000');
    expect((await verifyPaymentCode({ digits, key: KEY_A, nowMs: 0 })).ok).toBe(true);
  });
});

describe('verifyPaymentCode: single use and keys', () => {
  it('refuses a code at or below the last used step as USED, and accepts a newer one', async () => {
    const { digits } = await generatePaymentCode({ key: KEY_A, deviceIndex: 77, nowMs: T0 });
    const first = await verifyPaymentCode({ digits, key: KEY_A, nowMs: T0 + 1_000 });
    expect(first).toEqual({ ok: true, deviceIndex: 77, stepIndex: STEP_K });
    const lastUsedStep = first.ok ? first.stepIndex : -1;
    // The same code again (a photograph of it, a double scan): USED, which is not a guess.
    const again = await verifyPaymentCode({ digits, key: KEY_A, nowMs: T0 + 2_000, lastUsedStep });
    expect(again).toEqual(expect.objectContaining({ ok: false, code: 'PAYMENT_CODE_USED', stepIndex: STEP_K }));
    expect(isFailedPaymentCodeAttempt(again)).toBe(false);
    // Also after it would have expired anyway.
    expectRefused(await verifyPaymentCode({ digits, key: KEY_A, nowMs: T0 + 3 * S, lastUsedStep }), 'PAYMENT_CODE_USED');
    // An older code than the last used one is refused even inside the window.
    const older = await generatePaymentCode({ key: KEY_A, deviceIndex: 77, nowMs: T0 - S });
    expectRefused(await verifyPaymentCode({ digits: older.digits, key: KEY_A, nowMs: T0, lastUsedStep }), 'PAYMENT_CODE_USED');
    // The next step's code pays.
    const next = await generatePaymentCode({ key: KEY_A, deviceIndex: 77, nowMs: T0 + S });
    expect(await verifyPaymentCode({ digits: next.digits, key: KEY_A, nowMs: T0 + S, lastUsedStep })).toEqual({
      ok: true,
      deviceIndex: 77,
      stepIndex: STEP_K + 1,
    });
    // A device clock ahead used step k+1 already: the step-k code shown afterwards is USED.
    expectRefused(await verifyPaymentCode({ digits, key: KEY_A, nowMs: T0, lastUsedStep: STEP_K + 1 }), 'PAYMENT_CODE_USED');
    // lastUsedStep below the code's step does not stand in the way.
    expect((await verifyPaymentCode({ digits, key: KEY_A, nowMs: T0, lastUsedStep: STEP_K - 1 })).ok).toBe(true);
  });

  it('refuses a code made with another key as INVALID, a counted failure', async () => {
    const { digits } = await generatePaymentCode({ key: KEY_A, deviceIndex: 3, nowMs: T0 });
    const result = await verifyPaymentCode({ digits, key: KEY_B, nowMs: T0 });
    expect(result).toEqual({ ok: false, code: 'PAYMENT_CODE_INVALID', message: expect.any(String) });
    expect(isFailedPaymentCodeAttempt(result)).toBe(true);
  });

  it('refuses bad server-side arguments loudly', async () => {
    const { digits } = await generatePaymentCode({ key: KEY_A, deviceIndex: 3, nowMs: T0 });
    await expect(verifyPaymentCode({ digits, key: KEY_A, nowMs: Number.POSITIVE_INFINITY })).rejects.toThrow(RangeError);
    await expect(verifyPaymentCode({ digits, key: KEY_A, nowMs: T0, lastUsedStep: -1 })).rejects.toThrow(RangeError);
    await expect(verifyPaymentCode({ digits, key: KEY_A, nowMs: T0, lastUsedStep: 0.5 })).rejects.toThrow(RangeError);
  });
});

describe('parsePaymentCode and malformed input', () => {
  const good = '77' + '0000042' + '12345678';
  const valid = good + dammCheckDigit(good);

  it('reads device index and OTP of a well-formed code', () => {
    expect(parsePaymentCode(valid)).toEqual({ ok: true, deviceIndex: 42, otp: '12345678' });
  });

  const cases: [string, unknown, string][] = [
    ['17 digits', valid.slice(0, 17), 'PAYMENT_CODE_MALFORMED'],
    ['19 digits', valid + '0', 'PAYMENT_CODE_MALFORMED'],
    ['empty', '', 'PAYMENT_CODE_MALFORMED'],
    ['a letter', replaceAt(valid, 5, 'a'), 'PAYMENT_CODE_MALFORMED'],
    ['a space', replaceAt(valid, 9, ' '), 'PAYMENT_CODE_MALFORMED'],
    ['a trailing newline', valid.slice(0, 17) + '\n', 'PAYMENT_CODE_MALFORMED'],
    ['full-width digits', valid.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))), 'PAYMENT_CODE_MALFORMED'],
    ['Arabic-Indic digits', valid.replace(/[0-9]/g, (d) => String.fromCharCode(0x0660 + Number(d))), 'PAYMENT_CODE_MALFORMED'],
    ['a sign', '+' + valid.slice(1), 'PAYMENT_CODE_MALFORMED'],
    ['a number, not a string', 771234567890123456, 'PAYMENT_CODE_MALFORMED'],
    ['null', null, 'PAYMENT_CODE_MALFORMED'],
    ['undefined', undefined, 'PAYMENT_CODE_MALFORMED'],
    ['an object', { digits: valid }, 'PAYMENT_CODE_MALFORMED'],
    ['a WeChat code (prefix 13)', '134567890123456789', 'PAYMENT_CODE_UNKNOWN_PREFIX'],
    ['an Alipay code (prefix 28)', '280244567856723026', 'PAYMENT_CODE_UNKNOWN_PREFIX'],
    ['a wrong first prefix digit', replaceAt(valid, 0, '6'), 'PAYMENT_CODE_UNKNOWN_PREFIX'],
    ['a wrong check digit', replaceAt(valid, 17, String((Number(valid[17]) + 1) % 10)), 'PAYMENT_CODE_CHECK_FAILED'],
    ['a mistyped device digit', replaceAt(valid, 8, valid[8] === '9' ? '8' : '9'), 'PAYMENT_CODE_CHECK_FAILED'],
    ['two OTP digits swapped', valid.slice(0, 9) + '21345678' + valid[17], 'PAYMENT_CODE_CHECK_FAILED'],
  ];

  it.each(cases)('refuses %s with a typed error, without throwing, in parse and in verify', async (_name, input, code) => {
    const parsed = parsePaymentCode(input);
    expect(parsed).toEqual({ ok: false, code, message: expect.any(String) });
    expect(await verifyPaymentCode({ digits: input, key: KEY_A, nowMs: T0 })).toEqual(parsed);
    expect(isFailedPaymentCodeAttempt(parsed)).toBe(false);
  });

  it('never throws and never echoes the digits, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9]{16,20}$/), fc.stringMatching(/^77[0-9]{16}$/), fc.anything()), (input) => {
        const result = parsePaymentCode(input);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) {
          expect(PAYMENT_CODE_RESULT_CODES).toContain(result.code);
          if (typeof input === 'string' && input.length >= 8) expect(result.message).not.toContain(input);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses very long input quickly', () => {
    expect(parsePaymentCode('7'.repeat(10_000_000))).toEqual(expect.objectContaining({ code: 'PAYMENT_CODE_MALFORMED' }));
  });
});

describe('isPaymentCodeCandidate', () => {
  it('tells a saoma payment code from other scanned content', async () => {
    const { digits } = await generatePaymentCode({ key: KEY_A, deviceIndex: 31337, nowMs: T0 });
    expect(isPaymentCodeCandidate(digits)).toBe(true);
    // A candidate with a bad check digit is still meant as one: parse says what is wrong.
    expect(isPaymentCodeCandidate(replaceAt(digits, 17, digits[17] === '0' ? '1' : '0'))).toBe(true);
    for (const other of [
      '134567890123456789', // WeChat
      '280244567856723026', // Alipay
      '6212345678901234567', // UnionPay, 19 digits
      digits.slice(0, 17),
      digits + '0',
      ` ${digits}`,
      `${digits}\n`,
      '00020101021129370016A000000677010111011300668123456785802TH530376463048956',
      'https://example.com/pay?code=' + digits,
      'hello',
      '',
    ]) {
      expect(isPaymentCodeCandidate(other), other).toBe(false);
    }
    for (const other of [null, undefined, 771234567890123456, {}, []]) expect(isPaymentCodeCandidate(other)).toBe(false);
  });
});

describe('round trip and tamper properties', () => {
  const keyArb = fc.uint8Array({ minLength: 32, maxLength: 64 });
  const deviceArb = fc.integer({ min: 0, max: PAYMENT_CODE_DEVICE_INDEX_MAX });
  // Any moment from 1970 to about 2527.
  const nowArb = fc.integer({ min: 0, max: 2 ** 44 });

  it('generate → parse → verify round-trips inside the window, for any key, device and time', async () => {
    await fc.assert(
      fc.asyncProperty(keyArb, deviceArb, nowArb, fc.integer({ min: 0, max: S * (1 + PAYMENT_CODE_LATE_STEPS) - 1 }), async (key, deviceIndex, nowMs, delayMs) => {
        const code = await generatePaymentCode({ key, deviceIndex, nowMs });
        expect(isPaymentCodeCandidate(code.digits)).toBe(true);
        const parsed = parsePaymentCode(code.digits);
        expect(parsed).toEqual({ ok: true, deviceIndex, otp: code.digits.slice(9, 17) });
        // Scanned up to the end of the next step (the code's life by an agreeing clock).
        const serverMs = Math.min(nowMs - (nowMs % S) + delayMs, code.expiresAtMs - 1);
        expect(await verifyPaymentCode({ digits: code.digits, key, nowMs: serverMs })).toEqual({
          ok: true,
          deviceIndex,
          stepIndex: code.stepIndex,
        });
        expectRefused(
          await verifyPaymentCode({ digits: code.digits, key, nowMs: serverMs, lastUsedStep: code.stepIndex }),
          'PAYMENT_CODE_USED',
        );
      }),
      { numRuns: 300 },
    );
  });

  it('rejects every single-digit change and every adjacent transposition before any lookup', async () => {
    await fc.assert(
      fc.asyncProperty(
        keyArb,
        deviceArb,
        nowArb,
        fc.integer({ min: 0, max: 17 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 16 }),
        async (key, deviceIndex, nowMs, position, delta, swapAt) => {
          const { digits } = await generatePaymentCode({ key, deviceIndex, nowMs });
          const changed = replaceAt(digits, position, String((Number(digits[position]) + delta) % 10));
          const result = await verifyPaymentCode({ digits: changed, key, nowMs });
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.code).toBe(position < 2 ? 'PAYMENT_CODE_UNKNOWN_PREFIX' : 'PAYMENT_CODE_CHECK_FAILED');
          const a = digits[swapAt]!;
          const b = digits[swapAt + 1]!;
          if (a !== b) {
            const swapped = digits.slice(0, swapAt) + b + a + digits.slice(swapAt + 2);
            expect(parsePaymentCode(swapped).ok).toBe(false);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects a changed OTP digit even when the check digit is recomputed (INVALID: a counted guess)', async () => {
    await fc.assert(
      fc.asyncProperty(keyArb, deviceArb, nowArb, fc.integer({ min: 9, max: 16 }), fc.integer({ min: 1, max: 9 }), async (key, deviceIndex, nowMs, position, delta) => {
        const { digits } = await generatePaymentCode({ key, deviceIndex, nowMs });
        const body = replaceAt(digits.slice(0, 17), position, String((Number(digits[position]) + delta) % 10));
        const forged = body + dammCheckDigit(body);
        expect(parsePaymentCode(forged).ok).toBe(true);
        const result = await verifyPaymentCode({ digits: forged, key, nowMs });
        expectRefused(result, 'PAYMENT_CODE_INVALID');
        expect(isFailedPaymentCodeAttempt(result)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('decidePaymentCodeAttempt', () => {
  const clean: PaymentCodeAttemptCounts = {
    merchantAttemptsLastMinute: 0,
    merchantFailedAttemptsLastMinute: 0,
    merchantFailedAttemptsLastDay: 0,
    globalFailedAttemptsLastHour: 0,
    deviceFailedAttemptsConsecutive: 0,
  };
  const refusal = (counts: Partial<PaymentCodeAttemptCounts>) => decidePaymentCodeAttempt({ ...clean, ...counts });

  it('allows attempts below every cap, and refuses the one after a cap is reached', () => {
    expect(refusal({})).toEqual({ ok: true });
    expect(refusal({ deviceFailedAttemptsConsecutive: undefined })).toEqual({ ok: true });
    expect(refusal({ merchantFailedAttemptsLastDay: PAYMENT_CODE_FAILED_ATTEMPTS_PER_MERCHANT_PER_DAY_MAX - 1 }).ok).toBe(true);
    expect(refusal({ merchantFailedAttemptsLastDay: PAYMENT_CODE_FAILED_ATTEMPTS_PER_MERCHANT_PER_DAY_MAX })).toEqual(
      expect.objectContaining({ ok: false, code: 'PAYMENT_CODE_MERCHANT_SUSPENDED', scope: 'merchant' }),
    );
    expect(refusal({ merchantFailedAttemptsLastMinute: PAYMENT_CODE_FAILED_ATTEMPTS_PER_MERCHANT_PER_MINUTE_MAX - 1 }).ok).toBe(true);
    expect(refusal({ merchantFailedAttemptsLastMinute: PAYMENT_CODE_FAILED_ATTEMPTS_PER_MERCHANT_PER_MINUTE_MAX })).toEqual(
      expect.objectContaining({ ok: false, code: 'PAYMENT_CODE_RATE_LIMITED', scope: 'merchant' }),
    );
    expect(refusal({ merchantAttemptsLastMinute: PAYMENT_CODE_ATTEMPTS_PER_MERCHANT_PER_MINUTE_MAX - 1 }).ok).toBe(true);
    expect(refusal({ merchantAttemptsLastMinute: PAYMENT_CODE_ATTEMPTS_PER_MERCHANT_PER_MINUTE_MAX })).toEqual(
      expect.objectContaining({ ok: false, code: 'PAYMENT_CODE_RATE_LIMITED', scope: 'merchant' }),
    );
    expect(refusal({ deviceFailedAttemptsConsecutive: PAYMENT_CODE_FAILED_ATTEMPTS_PER_DEVICE_MAX - 1 }).ok).toBe(true);
    expect(refusal({ deviceFailedAttemptsConsecutive: PAYMENT_CODE_FAILED_ATTEMPTS_PER_DEVICE_MAX })).toEqual(
      expect.objectContaining({ ok: false, code: 'PAYMENT_CODE_DEVICE_LOCKED', scope: 'device' }),
    );
  });

  it('past the global cap refuses only merchants with a failure in the last day', () => {
    const global = PAYMENT_CODE_FAILED_ATTEMPTS_GLOBAL_PER_HOUR_MAX;
    expect(refusal({ globalFailedAttemptsLastHour: global - 1, merchantFailedAttemptsLastDay: 1 }).ok).toBe(true);
    expect(refusal({ globalFailedAttemptsLastHour: global, merchantFailedAttemptsLastDay: 0 }).ok).toBe(true);
    expect(refusal({ globalFailedAttemptsLastHour: global, merchantFailedAttemptsLastDay: 1 })).toEqual(
      expect.objectContaining({ ok: false, code: 'PAYMENT_CODE_RATE_LIMITED', scope: 'global' }),
    );
  });

  it('lists every refusal code in PAYMENT_CODE_RESULT_CODES and asserts its counters', () => {
    expect(PAYMENT_CODE_RESULT_CODES).toEqual(expect.arrayContaining(['PAYMENT_CODE_MERCHANT_SUSPENDED', 'PAYMENT_CODE_RATE_LIMITED', 'PAYMENT_CODE_DEVICE_LOCKED']));
    expect(() => refusal({ merchantAttemptsLastMinute: -1 })).toThrow(expect.objectContaining({ code: 'INVARIANT_VIOLATED' }));
    expect(() => refusal({ globalFailedAttemptsLastHour: Number.NaN })).toThrow(expect.objectContaining({ code: 'INVARIANT_VIOLATED' }));
  });
});

describe('portability and purity of the module', () => {
  it('imports nothing from Node and reads no clock or randomness', () => {
    const source = fs.readFileSync(SOURCE, 'utf8');
    const imports = [...source.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
    expect(imports.every((spec) => spec!.startsWith('../'))).toBe(true);
    expect(source).not.toMatch(/\bnode:|\brequire\(|\bBuffer\.|\bprocess\.|Date\.now|new Date|Math\.random|getRandomValues|performance\.now/);
  });
});
