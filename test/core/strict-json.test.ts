import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findUnsafeNumber, parseStrictJson } from '../../src/http/strict-json.js';

describe('strict JSON numbers', () => {
  it.each([
    ['{"a":12.5}', '12.5'],
    ['{"a":1e3}', '1e3'],
    ['{"a":9007199254740992}', '9007199254740992'],
    ['{"a":-9007199254740993}', '-9007199254740993'],
    ['[1.0000000000000001]', '1.0000000000000001'],
    ['{"a":0.0}', '0.0'],
    ['{"a":01}', '01'],
  ])('refuses %s', (text, token) => {
    expect(findUnsafeNumber(text)).toBe(token);
    expect(() => parseStrictJson(text)).toThrow(expect.objectContaining({ code: 'INVALID_JSON_NUMBER' }));
  });

  it('ignores digits, dots and exponents inside strings, including escaped quotes', () => {
    expect(findUnsafeNumber('{"a":"12.5","b\\"1.5":"x\\\\","c":9007199254740991,"d":-1}')).toBeUndefined();
    expect(parseStrictJson('{"amountMinor":9007199254740991}')).toEqual({ amountMinor: 9007199254740991 });
  });

  it('reports malformed JSON as INVALID_REQUEST', () => {
    expect(() => parseStrictJson('{"a":')).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  it('agrees with JSON.parse on every safe-integer document and refuses every float that is not one', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        const hasUnsafe = JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isSafeInteger(v) ? '\u0000UNSAFE' : v)).includes('\\u0000UNSAFE');
        const negativeZero = /-0(?![0-9.eE])/.test(text);
        if (hasUnsafe) expect(findUnsafeNumber(text)).toBeDefined();
        else if (!negativeZero) expect(parseStrictJson(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('with ratios (rule-set routes): plain decimals of up to 6 places pass; exponents, long fractions and unsafe integers do not', () => {
    expect(parseStrictJson('{"value":0.8,"n":-12.25,"t":1}', { ratios: true })).toEqual({ value: 0.8, n: -12.25, t: 1 });
    for (const bad of ['8e-1', '0.1234567', '1.', '01.5', '9007199254740993', '1E3']) {
      expect(findUnsafeNumber(`{"value":${bad}}`, { ratios: true }), bad).toBe(bad);
    }
    expect(findUnsafeNumber('{"value":0.8}')).toBe('0.8');
    expect(() => parseStrictJson('{"value":.5}', { ratios: true })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});
