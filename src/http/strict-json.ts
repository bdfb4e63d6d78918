import { SaomaError } from '../core/errors.js';

/**
 * Parses a JSON body, refusing any number that is not an integer literal within ±(2^53−1).
 * JSON.parse silently rounds 9007199254740993 to …992 and 1.0000000000000001 to 1; for money a
 * silent change is worse than an error, and saoma's API has no fractional numbers at all.
 */
export function parseStrictJson(text: string, options: { ratios?: boolean } = {}): unknown {
  const offending = findUnsafeNumber(text, options);
  if (offending !== undefined) {
    throw new SaomaError(
      'INVALID_JSON_NUMBER',
      options.ratios
        ? `number ${offending.slice(0, 40)} is neither a safe integer nor a plain decimal with at most ${RATIO_DECIMALS_MAX} decimals`
        : `number ${offending.slice(0, 40)} is not a safe integer; amounts are integer minor units`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SaomaError('INVALID_REQUEST', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Decimals a ratio may have where a route admits them (risk rule sets: 0.8 of received money). */
export const RATIO_DECIMALS_MAX = 6;

/**
 * Returns the first number token that is fractional, exponential or outside the safe range. With
 * `ratios` (routes whose body holds no money, only thresholds such as risk rule sets), a plain
 * decimal of a few digits is admitted; exponents and unsafe integers never are.
 */
export function findUnsafeNumber(text: string, options: { ratios?: boolean } = {}): string | undefined {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < text.length && /[0-9eE.+-]/.test(text[j]!)) j++;
      const token = text.slice(i, j);
      const ratio = options.ratios === true ? new RegExp(`^-?(0|[1-9][0-9]{0,8})\\.[0-9]{1,${RATIO_DECIMALS_MAX}}$`).test(token) : false;
      if (ratio) {
        i = j - 1;
        continue;
      }
      if (!/^-?(0|[1-9][0-9]*)$/.test(token)) return token;
      const digits = token.startsWith('-') ? token.slice(1) : token;
      if (digits.length > 16 || BigInt(digits) > MAX_SAFE) return token;
      i = j - 1;
    }
  }
  return undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body holds thresholds, never money: plain decimals are admitted (see findUnsafeNumber). */
    jsonRatios?: boolean;
  }
}
