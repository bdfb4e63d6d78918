import type { QrIssue } from './errors.js';

/** One ID-length-value object; offsets count characters (code points) from the payload start. */
export interface TlvObject {
  readonly id: string;
  readonly value: string;
  /** Offset of the ID. */
  readonly offset: number;
}

export type TlvResult = { readonly ok: true; readonly objects: TlvObject[] } | { readonly ok: false; readonly issue: QrIssue };

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/**
 * Splits `chars` (code points) into EMV TLV objects: 2-digit ID, 2-digit length (1-99) counted in
 * characters, value. `base` is the offset of chars[0] in the payload; `path` prefixes field names.
 */
export function parseTlv(chars: readonly string[], base: number, path: string): TlvResult {
  const objects: TlvObject[] = [];
  let p = 0;
  while (p < chars.length) {
    const at = base + p;
    if (p + 4 > chars.length) {
      return { ok: false, issue: { code: 'QR_TLV_LENGTH_OVERRUN', message: `${describe(path)}: ${chars.length - p} character(s) left over, too few for an ID and a length`, offset: at } };
    }
    const id = chars[p]! + chars[p + 1]!;
    if (!isDigit(chars[p]) || !isDigit(chars[p + 1])) {
      return { ok: false, issue: { code: 'QR_TLV_ID_INVALID', message: `${describe(path)}: ID "${id}" is not two digits`, offset: at } };
    }
    const field = path ? `${path}.${id}` : id;
    const lengthText = chars[p + 2]! + chars[p + 3]!;
    if (!isDigit(chars[p + 2]) || !isDigit(chars[p + 3])) {
      return { ok: false, issue: { code: 'QR_TLV_LENGTH_INVALID', message: `${field}: length "${lengthText}" is not two digits`, field, offset: at + 2 } };
    }
    const length = Number(lengthText);
    if (length === 0) {
      return { ok: false, issue: { code: 'QR_TLV_LENGTH_INVALID', message: `${field}: length 00 (values have 1 to 99 characters)`, field, offset: at + 2 } };
    }
    if (p + 4 + length > chars.length) {
      return {
        ok: false,
        issue: { code: 'QR_TLV_LENGTH_OVERRUN', message: `${field}: length ${length} runs past the end (${chars.length - p - 4} character(s) left)`, field, offset: at + 2 },
      };
    }
    objects.push({ id, value: chars.slice(p + 4, p + 4 + length).join(''), offset: at });
    p += 4 + length;
  }
  return { ok: true, objects };
}

function describe(path: string): string {
  return path ? `template ${path}` : 'payload';
}
