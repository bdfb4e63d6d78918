import { currencyOfNumeric, formatMajorAmount, numericOfCurrency, parseMajorAmount } from '../money/index.js';
import { decodeEmv, encodeEmv, type EmvCode, type EmvEncodable } from './emv.js';
import { SAOMA_GUID } from './schemes.js';
import { crcHex } from './crc.js';

/**
 * Signed saoma merchant codes (docs/qr-codes.md has the layout and a test vector).
 *
 *   00 01 | 01 11 or 12 | 26 { 00 org.saoma, 01 merchant id, 02 till id?, 03 expiry (unix s)? }
 *   52 MCC | 53 currency | 54 amount? | 58 country | 59 name | 60 city | 62 { 05 reference }?
 *   90 { 00 org.saoma, 01 key id, 02 signature[0..64) } | 91 { 00 org.saoma, 01 signature[64..86) }
 *   63 CRC
 *
 * The Ed25519 signature (86 base64url characters) covers the UTF-8 bytes of everything before
 * template 90; 90 and 91 must be the last objects before the CRC.
 */
export const SIGNATURE_TEMPLATE_IDS = ['90', '91'] as const;
export const MERCHANT_TEMPLATE_ID = '26';
const SIGNATURE_CHARS = 86;
const SIGNATURE_SPLIT = 64;
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,14}$/;
export const MERCHANT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,32}$/;

export interface MerchantCodeInput {
  readonly merchantId: string;
  readonly tillId?: string | undefined;
  /** The registered name (at most 25 characters in the code; wallets show the directory's). */
  readonly merchantName: string;
  readonly city: string;
  readonly countryCode: string;
  readonly mcc: string;
  readonly currency: string;
  /** Dynamic codes only: amount, order reference and expiry. */
  readonly dynamic?: { readonly amountMinor: bigint; readonly reference: string; readonly expiresAtMs: number } | undefined;
}

/** Signs message bytes with the key `keyId` (Ed25519); injected so the core has no crypto I/O. */
export type Signer = (message: Uint8Array) => Uint8Array;
/** Verifies an Ed25519 signature; gets the key record so an implementation can cache its parsed key. */
export type SignatureVerifier = (key: QrPublicKey, message: Uint8Array, signature: Uint8Array) => boolean;

const utf8 = new TextEncoder();

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LOOKUP = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

export function base64UrlEncode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
    if (i + 1 < bytes.length) out += ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/** Strict base64url without padding: any other character, a bad length or non-zero spare bits → undefined. */
export function base64UrlDecode(text: string): Uint8Array | undefined {
  if (text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? LOOKUP[c]! : -1;
    if (v < 0) return undefined;
    buffer = ((buffer << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  // Canonical only: the spare bits of the last character must be zero.
  if (bits > 0 && (buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

function truncate(text: string, max: number): string {
  return Array.from(text).slice(0, max).join('');
}

/** Builds and signs a merchant code. Throws RangeError on input that cannot make a valid code. */
export function buildMerchantCode(input: MerchantCodeInput, keyId: string, sign: Signer): string {
  if (!MERCHANT_ID_PATTERN.test(input.merchantId)) throw new RangeError('merchant id must be 1-32 of A-Z a-z 0-9 _ . : -');
  if (input.tillId !== undefined && !MERCHANT_ID_PATTERN.test(input.tillId)) throw new RangeError('till id must be 1-32 of A-Z a-z 0-9 _ . : -');
  if (!KEY_ID_PATTERN.test(keyId)) throw new RangeError('key id must be 1-14 of A-Z a-z 0-9 _ -');
  if (!/^[0-9]{4}$/.test(input.mcc)) throw new RangeError('MCC must be 4 digits');
  if (!/^[A-Z]{2}$/.test(input.countryCode)) throw new RangeError('country code must be 2 capital letters');
  const numeric = numericOfCurrency(input.currency);
  if (!numeric) throw new RangeError(`unknown currency ${input.currency}`);
  const d = input.dynamic;
  if (d) {
    if (d.amountMinor <= 0n) throw new RangeError('a dynamic code needs a positive amount');
    if (formatMajorAmount(d.amountMinor, input.currency).length > 13) throw new RangeError('the amount does not fit the 13 characters of field 54');
    if (!/^[A-Za-z0-9]{1,25}$/.test(d.reference)) throw new RangeError('reference must be 1-25 letters and digits');
    if (!Number.isSafeInteger(d.expiresAtMs) || d.expiresAtMs <= 0) throw new RangeError('expiry must be a time in milliseconds');
  }
  const account: EmvEncodable[] = [
    { id: '00', value: SAOMA_GUID },
    { id: '01', value: input.merchantId },
    ...(input.tillId ? [{ id: '02', value: input.tillId }] : []),
    ...(d ? [{ id: '03', value: String(Math.ceil(d.expiresAtMs / 1000)) }] : []),
  ];
  const objects: EmvEncodable[] = [
    { id: '00', value: '01' },
    { id: '01', value: d ? '12' : '11' },
    { id: MERCHANT_TEMPLATE_ID, children: account },
    { id: '52', value: input.mcc },
    { id: '53', value: numeric },
    ...(d ? [{ id: '54', value: formatMajorAmount(d.amountMinor, input.currency) }] : []),
    { id: '58', value: input.countryCode },
    { id: '59', value: truncate(input.merchantName, 25) },
    { id: '60', value: truncate(input.city, 15) },
    ...(d ? [{ id: '62', children: [{ id: '05', value: d.reference }] }] : []),
  ];
  // The signed prefix is exactly what encodeEmv writes before template 90.
  const unsigned = encodeEmv(objects);
  const prefix = unsigned.slice(0, unsigned.length - 8);
  const signature = base64UrlEncode(sign(utf8.encode(prefix)));
  if (signature.length !== SIGNATURE_CHARS) throw new RangeError('the signer must return a 64-byte Ed25519 signature');
  const signed = encodeEmv([
    ...objects,
    { id: '90', children: [{ id: '00', value: SAOMA_GUID }, { id: '01', value: keyId }, { id: '02', value: signature.slice(0, SIGNATURE_SPLIT) }] },
    { id: '91', children: [{ id: '00', value: SAOMA_GUID }, { id: '01', value: signature.slice(SIGNATURE_SPLIT) }] },
  ]);
  // encodeEmv recomputes the CRC over the whole; the prefix it signed is unchanged.
  return signed;
}

export interface QrPublicKey {
  readonly keyId: string;
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** Retired keys still verify codes already printed; revoked keys verify nothing. */
  readonly status: 'active' | 'retired' | 'revoked';
}

export type CounterfeitReason = 'crc' | 'structure' | 'unknown_key' | 'revoked_key' | 'signature';

export type MerchantCodeCheck =
  | {
      readonly ok: true;
      readonly merchantId: string;
      readonly tillId: string | undefined;
      readonly keyId: string;
      readonly initiation: 'static' | 'dynamic';
      readonly currency: string;
      readonly amountMinor: bigint | undefined;
      readonly reference: string | undefined;
      readonly expiresAtMs: number | undefined;
      readonly nameInCode: string | undefined;
    }
  | { readonly ok: false; readonly reason: CounterfeitReason; readonly message: string };

function bad(reason: CounterfeitReason, message: string): MerchantCodeCheck {
  return { ok: false, reason, message };
}

/** Does the text claim to be a saoma code? Then anything wrong with it makes it counterfeit. */
export function claimsSaoma(text: string): boolean {
  // Case-insensitive, as scheme recognition is: "ORG.SAOMA" must not pass as a foreign code.
  return text.toLowerCase().includes(SAOMA_GUID);
}

/**
 * Checks a payload that carries saoma's GUID: integrity, layout, key and signature. It does not
 * judge time or use (see scanVerdict): a valid signature means the platform issued these bytes.
 */
export function checkMerchantCode(payload: string, keys: readonly QrPublicKey[], verify: SignatureVerifier): MerchantCodeCheck {
  const decoded = decodeEmv(payload);
  if (!decoded.ok) {
    const e = decoded.error;
    const reason: CounterfeitReason = e.code.startsWith('QR_CRC') ? 'crc' : 'structure';
    return bad(reason, `${e.code}: ${e.message}`);
  }
  return checkDecoded(payload, decoded.code, keys, verify);
}

function checkDecoded(payload: string, code: EmvCode, keys: readonly QrPublicKey[], verify: SignatureVerifier): MerchantCodeCheck {
  const objects = code.objects;
  const n = objects.length;
  const [sig1, sig2, crc] = [objects[n - 3], objects[n - 2], objects[n - 1]];
  if (sig1?.id !== '90' || sig2?.id !== '91' || crc?.id !== '63') return bad('structure', 'the signature templates 90 and 91 must come last, just before the CRC');
  const t90 = code.fields['90'];
  const t91 = code.fields['91'];
  if (typeof t90 !== 'object' || typeof t91 !== 'object' || t90['00'] !== SAOMA_GUID || t91['00'] !== SAOMA_GUID) {
    return bad('structure', 'the signature templates do not carry saoma\'s identifier');
  }
  if (Object.keys(t90).sort().join() !== '00,01,02' || Object.keys(t91).sort().join() !== '00,01') return bad('structure', 'unexpected fields in the signature templates');
  const keyId = t90['01']!;
  const signatureText = t90['02']! + t91['01']!;
  const signature = signatureText.length === SIGNATURE_CHARS ? base64UrlDecode(signatureText) : undefined;
  // Canonical encoding only (the decoder refuses non-zero spare bits): two texts, one signature, never.
  if (!signature || signature.length !== 64) return bad('structure', 'the signature is not 64 bytes of canonical base64url');
  const accounts = Object.entries(code.fields).filter(([id, v]) => Number(id) >= 2 && Number(id) <= 51);
  const account = code.fields[MERCHANT_TEMPLATE_ID];
  if (accounts.length !== 1 || typeof account !== 'object' || account['00'] !== SAOMA_GUID) return bad('structure', 'a saoma code has exactly one merchant account: template 26 with saoma\'s identifier');
  const merchantId = account['01'];
  if (merchantId === undefined || !MERCHANT_ID_PATTERN.test(merchantId)) return bad('structure', 'the merchant id is missing or malformed');
  const key = keys.find((k) => k.keyId === keyId);
  if (!key) return bad('unknown_key', `signed with unknown key ${keyId}`);
  if (key.status === 'revoked') return bad('revoked_key', `signed with revoked key ${keyId}`);
  // The signed prefix ends where template 90 starts: the payload less 90, 91 and the CRC, counted
  // in UTF-16 units (their values are ASCII, as checked above).
  const tailUnits = 4 + sig1.value.length + 4 + sig2.value.length + 8;
  const prefix = payload.slice(0, payload.length - tailUnits);
  if (!verify(key, utf8.encode(prefix), signature)) return bad('signature', 'the signature does not match the code: it was altered or not issued by saoma');

  // Signed: the fields are as the platform wrote them; read them.
  const currency = currencyOfNumeric(String(code.fields['53']));
  if (!currency) return bad('structure', `unknown currency ${String(code.fields['53'])}`);
  const amountText = code.fields['54'];
  const amountMinor = typeof amountText === 'string' ? parseMajorAmount(amountText, currency) : undefined;
  const additional = code.fields['62'];
  const reference = typeof additional === 'object' ? additional['05'] : undefined;
  const expirySeconds = account['03'];
  const expiresAtMs = expirySeconds !== undefined && /^[0-9]{1,12}$/.test(expirySeconds) ? Number(expirySeconds) * 1000 : undefined;
  if (code.initiation === 'dynamic' && (amountMinor === undefined || reference === undefined || expiresAtMs === undefined)) {
    return bad('structure', 'a dynamic saoma code needs an amount, a reference and an expiry');
  }
  return {
    ok: true,
    merchantId,
    tillId: account['02'],
    keyId,
    initiation: code.initiation,
    currency,
    amountMinor,
    reference,
    expiresAtMs,
    nameInCode: typeof code.fields['59'] === 'string' ? code.fields['59'] : undefined,
  };
}

/** For tests and tools: recompute the CRC of an edited payload (so only the signature can catch it). */
export function withRecomputedCrc(payload: string): string {
  const chars = Array.from(payload);
  const body = chars.slice(0, chars.length - 4).join('');
  return body + crcHex(body);
}
