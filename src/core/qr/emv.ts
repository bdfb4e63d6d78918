import { crcHex, crcStep } from './crc.js';
import type { QrErrorCode, QrIssue } from './errors.js';
import { countPoints, parseTlv, type TlvObject } from './tlv.js';
import { recognizeSchemes, type RootFields, type Scheme } from './schemes.js';
import { QR_PAYLOAD_CHARS_MAX, QR_PAYLOAD_CHARS_SPEC } from '../limits.js';

export type Initiation = 'static' | 'dynamic';

/** A decoded object in payload order; templates keep their children when their value is TLV. */
export interface EmvObject {
  readonly id: string;
  readonly value: string;
  readonly offset: number;
  readonly children?: readonly EmvObject[];
}

export interface EmvCode {
  readonly format: 'emv-mpm';
  readonly scheme: Scheme;
  readonly schemes: readonly Scheme[];
  readonly initiation: Initiation;
  /** Top-level id → raw value; templates 26-51, 62, 64, 80-99 → sub-id → value when TLV. */
  readonly fields: RootFields;
  readonly objects: readonly EmvObject[];
  readonly warnings: readonly QrIssue[];
}

export type EmvDecodeResult = { readonly ok: true; readonly code: EmvCode } | { readonly ok: false; readonly error: QrIssue };

export interface EmvDecodeOptions {
  /** Accept the known real-world deviations as warnings (never a CRC that does not verify). */
  readonly lenient?: boolean;
}

const isTemplateId = (n: number) => (n >= 26 && n <= 51) || n === 62 || n === 64 || n >= 80;
const DIGITS = /^[0-9]+$/;
const AMOUNT = /^[0-9]+(\.[0-9]*)?$/;

class Refusal {
  constructor(readonly issue: QrIssue) {}
}

/**
 * Decodes an EMV merchant-presented payload. Integrity first (the CRC trailer and value), then
 * structure (TLV, duplicates, order), then every field rule; scheme rules last. In lenient mode the
 * deviations real wallets ship with become warnings; everything else is refused in both modes.
 */
export function decodeEmv(payload: string, options: EmvDecodeOptions = {}): EmvDecodeResult {
  try {
    return { ok: true, code: decode(payload, options.lenient === true) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, error: error.issue };
    throw error;
  }
}

function badCharacter(payload: string, index: number): never {
  const unit = payload.charCodeAt(index).toString(16).padStart(4, '0').toUpperCase();
  refuse('QR_BAD_CHARACTER', `character U+${unit} (a control character or a lone surrogate) in the payload`, undefined, countPoints(payload.slice(0, index)));
}

function refuse(code: QrErrorCode, message: string, field?: string, offset?: number): never {
  throw new Refusal({ code, message, ...(field !== undefined ? { field } : {}), ...(offset !== undefined ? { offset } : {}) });
}

function decode(payload: string, lenient: boolean): EmvCode {
  if (typeof payload !== 'string' || payload.length === 0) refuse('QR_EMPTY', 'the payload is empty');
  // One pass: control characters and lone surrogates, ASCII or not, and the CRC of an ASCII payload.
  const length = payload.length;
  const crcEnd = length - 4;
  let ascii = true;
  let crc = 0xffff;
  for (let i = 0; i < length; i++) {
    const c = payload.charCodeAt(i);
    if (c < 0x80) {
      if (c < 0x20 || c === 0x7f) badCharacter(payload, i);
      if (ascii && i < crcEnd) crc = crcStep(crc, c);
      continue;
    }
    ascii = false;
    if (c <= 0x9f) badCharacter(payload, i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = payload.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) badCharacter(payload, i);
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) badCharacter(payload, i);
  }
  const n = ascii ? length : countPoints(payload);
  if (n > QR_PAYLOAD_CHARS_MAX) refuse('QR_TOO_LONG', `the payload has ${n} characters; at most ${QR_PAYLOAD_CHARS_MAX} are read`);

  // 1. Integrity: "6304" + 4 hex digits must end the payload, and must verify. Once the trailer is
  // known to be ASCII, its 8 code points are its last 8 UTF-16 units.
  const trailer = payload.slice(-8);
  if (n < 8 || !trailer.startsWith('6304')) {
    refuse('QR_CRC_MISSING', 'the payload must end with the CRC: 6304 followed by 4 hexadecimal digits', '63', Math.max(0, n - 8));
  }
  const declared = trailer.slice(4);
  if (!/^[0-9A-Fa-f]{4}$/.test(declared)) refuse('QR_CRC_FORMAT_INVALID', `CRC "${declared}" is not 4 hexadecimal digits`, '63', n - 4);
  const computed = ascii ? crc.toString(16).toUpperCase().padStart(4, '0') : crcHex(payload.slice(0, crcEnd));
  if (computed !== declared.toUpperCase()) refuse('QR_CRC_MISMATCH', `CRC ${declared} does not match the payload (computed ${computed})`, '63', n - 4);

  const warnings: QrIssue[] = [];
  const deviation = (code: QrErrorCode, message: string, field?: string, offset?: number) => {
    if (!lenient) refuse(code, message, field, offset);
    warnings.push({ code, message, ...(field !== undefined ? { field } : {}), ...(offset !== undefined ? { offset } : {}) });
  };
  if (declared !== declared.toUpperCase()) warnings.push({ code: 'QR_CRC_LOWERCASE', message: 'the CRC is written in lowercase hexadecimal', field: '63', offset: n - 4 });
  if (n > QR_PAYLOAD_CHARS_SPEC) warnings.push({ code: 'QR_PAYLOAD_LONG', message: `the payload has ${n} characters; EMV says it should not exceed ${QR_PAYLOAD_CHARS_SPEC}` });

  // 2. Structure.
  const root = parseTlv(payload, 0, '', ascii);
  if (!root.ok) throw new Refusal(root.issue);
  const objects = root.objects;
  const last = objects[objects.length - 1]!;
  if (last.id !== '63' || last.offset !== n - 8) refuse('QR_CRC_MISSING', 'the CRC (63) is not the last field', '63', last.offset);
  const byId = new Map<string, TlvObject>();
  for (const o of objects) {
    if (byId.has(o.id)) refuse('QR_DUPLICATE_FIELD', `field ${o.id} appears twice`, o.id, o.offset);
    byId.set(o.id, o);
  }
  if (objects[0]!.id !== '00') refuse('QR_FIELD_ORDER', 'the payload format indicator (00) must be the first field', '00', 0);

  // 3. Templates, one level deep.
  const decoded: EmvObject[] = [];
  const fields: Record<string, string | Record<string, string>> = {};
  for (const o of objects) {
    const num = Number(o.id);
    if (!isTemplateId(num)) {
      decoded.push(o);
      fields[o.id] = o.value;
      continue;
    }
    const inner = parseTlv(o.value, o.offset + 4, o.id, ascii || undefined);
    if (!inner.ok) {
      const why = inner.issue.message;
      if (num >= 80) deviation('QR_TEMPLATE_NOT_TLV', `template ${o.id} is not TLV: ${why}`, o.id, inner.issue.offset);
      else refuse('QR_TEMPLATE_INVALID', `template ${o.id} is not TLV: ${why}`, inner.issue.field ?? o.id, inner.issue.offset);
      decoded.push(o);
      fields[o.id] = o.value;
      continue;
    }
    const sub: Record<string, string> = {};
    for (const c of inner.objects) {
      if (sub[c.id] !== undefined) refuse('QR_DUPLICATE_FIELD', `field ${o.id}.${c.id} appears twice`, `${o.id}.${c.id}`, c.offset);
      sub[c.id] = c.value;
    }
    decoded.push({ id: o.id, value: o.value, offset: o.offset, children: inner.objects });
    fields[o.id] = sub;
  }

  checkRootRules(byId, fields, deviation);
  const { scheme, schemes, accountId } = recognizeSchemes(fields);
  if (scheme === 'pix') checkPix(fields, byId, accountId!);
  return {
    format: 'emv-mpm',
    scheme,
    schemes,
    initiation: fields['01'] === '12' ? 'dynamic' : 'static',
    fields,
    objects: decoded,
    warnings,
  };
}

type Deviation = (code: QrErrorCode, message: string, field?: string, offset?: number) => void;

function checkRootRules(byId: Map<string, TlvObject>, fields: Record<string, string | Record<string, string>>, deviation: Deviation): void {
  const at = (id: string) => byId.get(id)?.offset;
  const text = (id: string) => (typeof fields[id] === 'string' ? (fields[id] as string) : undefined);
  const template = (id: string) => (typeof fields[id] === 'object' ? (fields[id] as Record<string, string>) : undefined);
  const digits = (id: string, length: number) => {
    const v = text(id);
    if (v === undefined) return;
    if (!DIGITS.test(v)) refuse('QR_BAD_CHARACTER', `field ${id} must be digits, got "${v}"`, id, at(id));
    if (v.length !== length) refuse('QR_FIELD_INVALID', `field ${id} must have ${length} digits, got ${v.length}`, id, at(id));
  };
  const maxLength = (id: string, max: number, value = text(id)) => {
    if (value !== undefined && value.length > max && countPoints(value) > max) {
      refuse('QR_FIELD_TOO_LONG', `field ${id} has ${countPoints(value)} characters; at most ${max}`, id, at(id.split('.')[0]!));
    }
  };

  const pfi = text('00');
  digits('00', 2);
  if (pfi !== '01') deviation('QR_FORMAT_INDICATOR_INVALID', `payload format indicator is "${pfi}"; EMV defines "01"`, '00', 0);
  const poi = text('01');
  if (poi !== undefined && poi !== '11' && poi !== '12') refuse('QR_FIELD_INVALID', `point of initiation must be 11 (static) or 12 (dynamic), got "${poi}"`, '01', at('01'));

  let accounts = 0;
  for (const id of byId.keys()) {
    const num = Number(id);
    if (num < 2 || num > 51) continue;
    accounts++;
    if (num < 26) continue;
    const t = template(id);
    const guid = t?.['00'];
    if (guid === undefined) refuse('QR_TEMPLATE_INVALID', `merchant account template ${id} has no globally unique identifier (00)`, `${id}.00`, at(id));
    maxLength(`${id}.00`, 32, guid);
  }
  if (accounts === 0) refuse('QR_MISSING_FIELD', 'no merchant account information (02-51)', '02-51');

  for (const id of ['53', '58']) if (!byId.has(id)) refuse('QR_MISSING_FIELD', `mandatory field ${id} is missing`, id);
  for (const id of ['52', '59', '60']) if (!byId.has(id)) deviation('QR_MISSING_FIELD', `mandatory field ${id} is missing`, id);
  digits('52', 4);
  digits('53', 3);
  const country = text('58');
  if (country !== undefined && !/^[A-Z]{2}$/.test(country)) refuse('QR_FIELD_INVALID', `country code must be 2 letters (ISO 3166-1 alpha-2), got "${country}"`, '58', at('58'));
  maxLength('59', 25);
  maxLength('60', 15);
  maxLength('61', 10);

  const amount = (id: string) => {
    const v = text(id);
    if (v === undefined) return;
    if (v.length > 13 || !AMOUNT.test(v) || !/[1-9]/.test(v)) refuse('QR_AMOUNT_INVALID', `field ${id} must be a non-zero amount like 98.73 (at most 13 characters), got "${v}"`, id, at(id));
  };
  amount('54');
  const tip = text('55');
  if (tip !== undefined && !['01', '02', '03'].includes(tip)) refuse('QR_FIELD_INVALID', `tip or convenience indicator must be 01, 02 or 03, got "${tip}"`, '55', at('55'));
  if (byId.has('56')) {
    if (tip !== '02') deviation('QR_FIELD_CONDITION', 'fixed convenience fee (56) is present but 55 is not 02', '56', at('56'));
    amount('56');
  } else if (tip === '02') refuse('QR_FIELD_CONDITION', '55 is 02 but the fixed convenience fee (56) is missing', '56');
  if (byId.has('57')) {
    if (tip !== '03') deviation('QR_FIELD_CONDITION', 'percentage convenience fee (57) is present but 55 is not 03', '57', at('57'));
    const v = text('57')!;
    if (!/^[0-9]{1,2}(\.[0-9]{1,2})?$/.test(v) || Number(v) <= 0 || v.length > 5) refuse('QR_FIELD_INVALID', `percentage convenience fee must be 00.01 to 99.99, got "${v}"`, '57', at('57'));
  } else if (tip === '03') refuse('QR_FIELD_CONDITION', '55 is 03 but the percentage convenience fee (57) is missing', '57');

  const additional = template('62');
  if (additional) {
    for (const [sub, v] of Object.entries(additional)) {
      const s = Number(sub);
      const field = `62.${sub}`;
      if (s === 0) deviation('QR_FIELD_UNDEFINED', 'field 62.00 is not defined by EMVCo', field, at('62'));
      else if (s <= 8) maxLength(field, 25, v);
      else if (s === 9 && (!/^[AME]{1,3}$/.test(v) || new Set(v).size !== v.length)) {
        deviation('QR_FIELD_INVALID', `additional consumer data request must be letters A, M, E at most once each, got "${v}"`, field, at('62'));
      }
    }
  } else if (byId.has('62') && typeof fields['62'] === 'string') {
    refuse('QR_TEMPLATE_INVALID', 'template 62 is not TLV', '62', at('62'));
  }
  const language = template('64');
  if (byId.has('64')) {
    if (!language?.['00'] || !language['01']) refuse('QR_TEMPLATE_INVALID', 'language template 64 needs a language (00) and a merchant name (01)', '64', at('64'));
    if (countPoints(language['00']) !== 2) refuse('QR_FIELD_INVALID', 'language preference (64.00) must have 2 characters', '64.00', at('64'));
    maxLength('64.01', 25, language['01']);
    maxLength('64.02', 15, language['02']);
  }
  for (const id of byId.keys()) {
    const num = Number(id);
    if (num < 80) continue;
    const t = template(id);
    if (t && t['00'] === undefined) deviation('QR_TEMPLATE_INVALID', `unreserved template ${id} has no globally unique identifier (00)`, `${id}.00`, at(id));
  }
}

// Pix (BCB, Manual de Padrões para Iniciação do Pix): GUI br.gov.bcb.pix, a key (01) or a URL (25)
// without a scheme, BRL, country BR, and a txid (62.05) of letters and digits.
function checkPix(fields: RootFields, byId: Map<string, TlvObject>, id: string): void {
  const t = fields[id] as Record<string, string>;
  const at = byId.get(id)?.offset;
  const url = t['25'];
  if (t['01'] === undefined && url === undefined) refuse('QR_SCHEME_RULE', `Pix: template ${id} needs a key (01) or a URL (25)`, id, at);
  if (url !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) refuse('QR_SCHEME_RULE', `Pix: the URL in ${id}.25 must not include a scheme such as https://`, `${id}.25`, at);
  if (fields['53'] !== '986') refuse('QR_SCHEME_RULE', `Pix: the currency (53) must be 986 (BRL), got "${String(fields['53'])}"`, '53', byId.get('53')?.offset);
  if (fields['58'] !== 'BR') refuse('QR_SCHEME_RULE', 'Pix: the country (58) must be BR', '58', byId.get('58')?.offset);
  const txid = typeof fields['62'] === 'object' ? fields['62']['05'] : undefined;
  if (txid !== undefined && txid !== '***' && !/^[A-Za-z0-9]{1,25}$/.test(txid)) {
    refuse('QR_SCHEME_RULE', `Pix: the txid (62.05) must be 1-25 letters and digits or ***, got "${txid}"`, '62.05', byId.get('62')?.offset);
  }
}

/** An object to encode: a primitive value, or a template of sub-objects (encoded in order). */
export type EmvEncodable = { readonly id: string; readonly value: string } | { readonly id: string; readonly children: readonly EmvEncodable[] };

/** Encodes objects in the order given and appends the CRC (uppercase). Refuses malformed input. */
export function encodeEmv(objects: readonly EmvEncodable[]): string {
  const body = objects.filter((o) => o.id !== '63').map((o) => encodeObject(o, '')).join('');
  const withCrcHeader = `${body}6304`;
  return withCrcHeader + crcHex(withCrcHeader);
}

function encodeObject(o: EmvEncodable, path: string): string {
  const field = path ? `${path}.${o.id}` : o.id;
  if (!/^[0-9]{2}$/.test(o.id)) throw new RangeError(`cannot encode field ${field}: the ID must be two digits`);
  const value = 'children' in o ? o.children.map((c) => encodeObject(c, field)).join('') : o.value;
  const length = countPoints(value);
  if (length < 1 || length > 99) throw new RangeError(`cannot encode field ${field}: its value has ${length} characters (1 to 99)`);
  return `${o.id}${String(length).padStart(2, '0')}${value}`;
}

/** The objects of a decoded code, ready for encodeEmv (CRC excluded). */
export function toEncodable(objects: readonly EmvObject[]): EmvEncodable[] {
  // Only the root's 63 is the CRC; a 63 inside a template is data.
  return objects.filter((o) => o.id !== '63').map(encodable);
}

function encodable(o: EmvObject): EmvEncodable {
  return o.children ? { id: o.id, children: o.children.map(encodable) } : { id: o.id, value: o.value };
}
