import type { QrIssue } from './errors.js';

/** One ID-length-value object; offsets count characters (code points) from the payload start. */
export interface TlvObject {
  readonly id: string;
  readonly value: string;
  /** Offset of the ID. */
  readonly offset: number;
}

export type TlvResult = { readonly ok: true; readonly objects: TlvObject[] } | { readonly ok: false; readonly issue: QrIssue };

const isDigit = (c: number) => c >= 48 && c <= 57;
const NON_ASCII = /[^\x00-\x7f]/;

export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/**
 * Splits `text` into EMV TLV objects: 2-digit ID, 2-digit length (1-99) counted in characters
 * (code points, not UTF-16 units), value. `base` is the code-point offset of text[0] in the
 * payload; `path` prefixes field names in issues.
 */
export function parseTlv(text: string, base: number, path: string, knownAscii?: boolean): TlvResult {
  const ascii = knownAscii ?? isAscii(text);
  const objects: TlvObject[] = [];
  let unit = 0; // index in UTF-16 units
  let point = 0; // the same position in code points
  const total = ascii ? text.length : countPoints(text);
  while (unit < text.length) {
    const at = base + point;
    if (total - point < 4) {
      return { ok: false, issue: { code: 'QR_TLV_LENGTH_OVERRUN', message: `${describe(path)}: ${total - point} character(s) left over, too few for an ID and a length`, offset: at } };
    }
    // ID and length are checked to be ASCII digits, so 4 code points are 4 units here.
    const c0 = text.charCodeAt(unit);
    const c1 = text.charCodeAt(unit + 1);
    if (!isDigit(c0) || !isDigit(c1)) {
      return { ok: false, issue: { code: 'QR_TLV_ID_INVALID', message: `${describe(path)}: ID "${firstPoints(text, unit, 2)}" is not two digits`, offset: at } };
    }
    const id = text.slice(unit, unit + 2);
    const field = path ? `${path}.${id}` : id;
    const l0 = text.charCodeAt(unit + 2);
    const l1 = text.charCodeAt(unit + 3);
    if (!isDigit(l0) || !isDigit(l1)) {
      return { ok: false, issue: { code: 'QR_TLV_LENGTH_INVALID', message: `${field}: length "${firstPoints(text, unit + 2, 2)}" is not two digits`, field, offset: at + 2 } };
    }
    const length = (l0 - 48) * 10 + (l1 - 48);
    if (length === 0) {
      return { ok: false, issue: { code: 'QR_TLV_LENGTH_INVALID', message: `${field}: length 00 (values have 1 to 99 characters)`, field, offset: at + 2 } };
    }
    if (point + 4 + length > total) {
      return {
        ok: false,
        issue: { code: 'QR_TLV_LENGTH_OVERRUN', message: `${field}: length ${length} runs past the end (${total - point - 4} character(s) left)`, field, offset: at + 2 },
      };
    }
    const start = unit + 4;
    const end = ascii ? start + length : advancePoints(text, start, length);
    objects.push({ id, value: text.slice(start, end), offset: at });
    unit = end;
    point += 4 + length;
  }
  return { ok: true, objects };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

/** Number of code points in text. */
export function countPoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (isHighSurrogate(text.charCodeAt(i)) && i + 1 < text.length) i++;
    n++;
  }
  return n;
}

/** The unit index `count` code points after `from`. */
function advancePoints(text: string, from: number, count: number): number {
  let i = from;
  for (let k = 0; k < count && i < text.length; k++) i += isHighSurrogate(text.charCodeAt(i)) && i + 1 < text.length ? 2 : 1;
  return i;
}

function firstPoints(text: string, from: number, count: number): string {
  return text.slice(from, advancePoints(text, from, count));
}

function describe(path: string): string {
  return path ? `template ${path}` : 'payload';
}
