// Text for SVG/XML documents.

/**
 * Characters that must not reach the document: those XML 1.0 forbids (C0 controls other than
 * tab, LF and CR; U+FFFE, U+FFFF; unpaired surrogates) and the explicit bidi embeddings,
 * overrides and isolates (U+202A-U+202E, U+2066-U+2069), which could reorder a printed name.
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/gu;

/** Removes the characters above; the rest is kept as written. */
export function stripUnprintable(text: string): string {
  return text.replace(UNPRINTABLE, '');
}

/** Escapes text for element content and for attribute values in either kind of quotes. */
export function escapeXml(text: string): string {
  return stripUnprintable(text).replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}

/** A number for an SVG attribute: at most 3 decimals, no trailing zeros, no exponent. */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  const rounded = Math.round(value * 1000) / 1000;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}
