// Bytes of a QR byte segment → string, for every character set zxing can name.
//
// zxing-js 0.21 decodes through TextDecoder, except ISO-8859-1, which in Node it sends through
// decodeURIComponent('%e9...'): that throws on any byte ≥ 0x80, so every Latin-1 code with an
// accent (ECI 000003, or no ECI and guessed as ISO-8859-1) fails to decode. It also passes its
// own names (Cp1252, SJIS, UnicodeBigUnmarked, EUC_KR) where TextDecoder wants WHATWG labels.
// zxing offers ZXingStringEncoding.customDecoder as the hook for this; detect.ts installs this.

/** zxing's character-set names → WHATWG encoding labels understood by TextDecoder. */
const LABELS: Readonly<Record<string, string>> = {
  UTF8: 'utf-8',
  'UTF-8': 'utf-8',
  UnicodeBigUnmarked: 'utf-16be',
  'UTF-16BE': 'utf-16be',
  SJIS: 'shift_jis',
  Shift_JIS: 'shift_jis',
  Cp1250: 'windows-1250',
  Cp1251: 'windows-1251',
  Cp1256: 'windows-1256',
  EUC_KR: 'euc-kr',
  'EUC-KR': 'euc-kr',
  GB18030: 'gb18030',
  GB2312: 'gb18030',
  GBK: 'gb18030',
  Big5: 'big5',
};

/** Each byte is the code point of the same value: ISO-8859-1 exactly (not windows-1252). */
function latin1(bytes: Uint8Array): string {
  let out = '';
  const chunk = 8192;
  for (let i = 0; i < bytes.length; i += chunk) out += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return out;
}

/** windows-1252 0x80-0x9F (WHATWG); Node 20's TextDecoder reads these as C1 controls instead. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function cp1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b >= 0x80 && b <= 0x9f ? (CP1252_HIGH[b - 0x80] ?? b) : b);
  return out;
}

const decoders = new Map<string, InstanceType<typeof TextDecoder>>();

/** Decodes bytes in the named character set; unknown sets read as ISO-8859-1. Never throws. */
export function decodeCharset(bytes: Uint8Array, name: string): string {
  if (name === 'ISO-8859-1' || name === 'ISO88591' || name === 'ISO8859_1' || name === 'ASCII' || name === 'US-ASCII' || name === 'Cp437') {
    return latin1(bytes); // Cp437 has no TextDecoder; its ASCII half is the same
  }
  if (name === 'Cp1252' || name === 'windows-1252') return cp1252(bytes);
  const label = LABELS[name] ?? name.toLowerCase();
  let decoder = decoders.get(label);
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      return latin1(bytes);
    }
    decoders.set(label, decoder);
  }
  return decoder.decode(bytes);
}
