import { describe, expect, it } from 'vitest';
import { decodeCharset } from '../../src/images/charset.js';

describe('decodeCharset (zxing character-set names)', () => {
  it('reads ISO-8859-1 byte for byte, including the C1 range (not windows-1252)', () => {
    expect(decodeCharset(Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x80]), 'ISO-8859-1')).toBe('café\u0080');
    expect(decodeCharset(Uint8Array.from([0x80]), 'Cp1252')).toBe('€');
  });

  it('maps zxing names to TextDecoder labels', () => {
    expect(decodeCharset(new TextEncoder().encode('最佳运输'), 'UTF8')).toBe('最佳运输');
    expect(decodeCharset(Uint8Array.from([0x82, 0xa0]), 'SJIS')).toBe('あ');
    expect(decodeCharset(Uint8Array.from([0x4e, 0x2d]), 'UnicodeBigUnmarked')).toBe('中');
    expect(decodeCharset(Uint8Array.from([0xd6, 0xd0]), 'GB18030')).toBe('中');
    expect(decodeCharset(Uint8Array.from([0xa4, 0xa4]), 'Big5')).toBe('中');
    expect(decodeCharset(Uint8Array.from([0xb0, 0xa1]), 'EUC_KR')).toBe('가');
  });

  it('reads an unknown set as ISO-8859-1 rather than throwing', () => {
    expect(decodeCharset(Uint8Array.from([0x41, 0xe9]), 'NoSuchCharset')).toBe('Aé');
  });
});
