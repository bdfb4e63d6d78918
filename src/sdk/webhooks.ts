// Webhook signatures: `saoma-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
// WebCrypto only, so the same code verifies in Node (>= 20), browsers, Deno and workers.
import { WEBHOOK_SIGNATURE_TOLERANCE_MS } from '../core/limits.js';

export const WEBHOOK_SIGNATURE_HEADER = 'saoma-signature';
export const WEBHOOK_EVENT_ID_HEADER = 'saoma-event-id';

/** What a webhook delivers (and an event stream sends). Amounts in `data` are integer minor units. */
export interface WebhookEvent<TData = Record<string, unknown>> {
  readonly id: string;
  readonly type: string;
  readonly createdAtMs: number;
  readonly data: TData;
}

export type WebhookSignatureErrorCode =
  | 'WEBHOOK_SIGNATURE_HEADER_MISSING'
  | 'WEBHOOK_SIGNATURE_HEADER_INVALID'
  | 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'
  | 'WEBHOOK_SIGNATURE_MISMATCH'
  | 'WEBHOOK_PAYLOAD_INVALID';

/** Thrown by verifyWebhookSignature; `code` is stable, the message is for humans. */
export class WebhookSignatureError extends Error {
  readonly code: WebhookSignatureErrorCode;
  constructor(code: WebhookSignatureErrorCode, message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
    this.code = code;
  }
}

const encoder = new TextEncoder();
const SIGNATURE_HEX_PATTERN = /^[0-9a-f]{64}$/;
/** Header size that is plainly not ours: bounds the parsing of a hostile header. */
const HEADER_CHARS_MAX = 4096;

function subtle(): SubtleCrypto {
  const c = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto;
  if (!c?.subtle) throw new Error('WebCrypto (crypto.subtle) is not available in this environment');
  return c.subtle;
}

type SubtleCrypto = typeof globalThis.crypto.subtle;

function hmacKey(secret: string, usage: 'sign' | 'verify') {
  return subtle().importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The `saoma-signature` header for a payload: what the platform sends. The key is the UTF-8 bytes
 * of the whole secret (`whsec_…`); the signed text is `<t>.<payload>` with t in unix seconds.
 */
export async function signWebhookPayload(options: { payload: string; secret: string; nowMs: number }): Promise<string> {
  const t = Math.floor(options.nowMs / 1000);
  const mac = await subtle().sign('HMAC', await hmacKey(options.secret, 'sign'), encoder.encode(`${t}.${options.payload}`));
  return `t=${t},v1=${toHex(mac)}`;
}

/** Splits `t=…,v1=…[,v1=…]`; several v1 entries are allowed (a secret being rolled over). */
function parseHeader(header: string): { t: number; signatures: string[] } {
  if (header.length > HEADER_CHARS_MAX) throw new WebhookSignatureError('WEBHOOK_SIGNATURE_HEADER_INVALID', 'the signature header is too long');
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new WebhookSignatureError('WEBHOOK_SIGNATURE_HEADER_INVALID', 'the signature header is not t=<seconds>,v1=<hex>');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (t !== undefined || !/^[0-9]{1,12}$/.test(value)) throw new WebhookSignatureError('WEBHOOK_SIGNATURE_HEADER_INVALID', 'the signature header needs one timestamp t=<unix seconds>');
      t = Number(value);
    } else if (key === 'v1') {
      if (!SIGNATURE_HEX_PATTERN.test(value)) throw new WebhookSignatureError('WEBHOOK_SIGNATURE_HEADER_INVALID', 'a v1 signature is 64 lower-case hex digits');
      signatures.push(value);
    }
    // Other schemes (a future v2) are ignored, so receivers keep working when one is added.
  }
  if (t === undefined || signatures.length === 0) throw new WebhookSignatureError('WEBHOOK_SIGNATURE_HEADER_INVALID', 'the signature header needs t=<seconds> and at least one v1=<hex>');
  return { t, signatures };
}

/**
 * Checks a delivery and returns its event: `payload` is the raw request body exactly as received
 * (parse it only after this), `header` the `saoma-signature` header, `secret` the endpoint's
 * `whsec_…` secret. Refuses timestamps further than `toleranceMs` (default 5 minutes) from `nowMs`,
 * so a captured delivery cannot be replayed later. The comparison is constant-time (WebCrypto's
 * HMAC verify). Deduplicate by the event's `id`: deliveries are at least once.
 */
export async function verifyWebhookSignature(options: {
  payload: string;
  header: string | null | undefined;
  secret: string;
  nowMs: number;
  toleranceMs?: number;
}): Promise<WebhookEvent> {
  const { payload, header, secret, nowMs } = options;
  const toleranceMs = options.toleranceMs ?? WEBHOOK_SIGNATURE_TOLERANCE_MS;
  if (header === undefined || header === null || header.trim() === '') {
    throw new WebhookSignatureError('WEBHOOK_SIGNATURE_HEADER_MISSING', `no ${WEBHOOK_SIGNATURE_HEADER} header`);
  }
  const { t, signatures } = parseHeader(header);
  if (Math.abs(nowMs - t * 1000) > toleranceMs) {
    throw new WebhookSignatureError('WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE', `the signature timestamp is more than ${toleranceMs} ms from now`);
  }
  const key = await hmacKey(secret, 'verify');
  const signed = encoder.encode(`${t}.${payload}`);
  let matched = false;
  for (const signature of signatures) {
    // Every candidate is checked (no early exit), each in constant time.
    if (await subtle().verify('HMAC', key, fromHex(signature), signed)) matched = true;
  }
  if (!matched) throw new WebhookSignatureError('WEBHOOK_SIGNATURE_MISMATCH', 'no signature matches this payload and secret');
  let event: unknown;
  try {
    event = JSON.parse(payload);
  } catch {
    throw new WebhookSignatureError('WEBHOOK_PAYLOAD_INVALID', 'the payload is not JSON');
  }
  const e = event as Partial<WebhookEvent> | null;
  if (typeof e !== 'object' || e === null || typeof e.id !== 'string' || typeof e.type !== 'string' || typeof e.createdAtMs !== 'number' || typeof e.data !== 'object' || e.data === null) {
    throw new WebhookSignatureError('WEBHOOK_PAYLOAD_INVALID', 'the payload is not a saoma event');
  }
  return e as WebhookEvent;
}
