import { SaomaError } from '../core/errors.js';

/**
 * Parses a JSON body, refusing any number that is not an integer literal within ±(2^53−1).
 * JSON.parse silently rounds 9007199254740993 to …992 and 1.0000000000000001 to 1; for money a
 * silent change is worse than an error, and saoma's API has no fractional numbers at all.
 */
export function parseStrictJson(text: string): unknown {
  const offending = findUnsafeNumber(text);
  if (offending !== undefined) {
    throw new SaomaError('INVALID_JSON_NUMBER', `number ${offending.slice(0, 40)} is not a safe integer; amounts are integer minor units`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SaomaError('INVALID_REQUEST', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Returns the first number token that is fractional, exponential or outside the safe range. */
export function findUnsafeNumber(text: string): string | undefined {
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
      if (!/^-?(0|[1-9][0-9]*)$/.test(token)) return token;
      const digits = token.startsWith('-') ? token.slice(1) : token;
      if (digits.length > 16 || BigInt(digits) > MAX_SAFE) return token;
      i = j - 1;
    }
  }
  return undefined;
}
