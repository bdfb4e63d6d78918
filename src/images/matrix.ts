// Payload → QR module matrix, through the `qrcode` package, always in byte mode.
//
// EMV QRCPS MPM §4.12: byte mode only, and an ECI designator 000026 (UTF-8) in front of the data
// when the payload holds any character outside the "ans" set (printable ASCII, 0x20-0x7E).
// `qrcode` 1.5 writes byte-mode UTF-8 but has no ECI segment. Its segment pipeline is generic
// (a segment is { mode: { bit, ccBits }, getLength, getBitsLength, write }), so an ECI header is
// a segment whose 4-bit mode indicator is 0111 and whose 8-bit "count" field carries the
// designator (26 → 00011010, the one-byte ECI form for values below 128) with no data after it.
// The one thing missing is a way to hand such a segment in: Segments.fromArray rebuilds every
// element from { data, mode }. installEciSupport() wraps fromArray so that elements tagged as ECI
// segments pass through unchanged and everything else goes to the original. The version is
// pinned exactly; encodeQrMatrix checks on every call that the ECI segment reached the symbol,
// and the tests read the codewords back with zxing.

import { createRequire } from 'node:module';
import type * as QRCodeTypes from 'qrcode';
import { QrRenderError } from './errors.js';
import { QR_PAYLOAD_BYTES_MAX } from './limits.js';

export type ErrorCorrectionLevel = 'L' | 'M' | 'Q' | 'H';
export const ERROR_CORRECTION_DEFAULT: ErrorCorrectionLevel = 'M';
const ERROR_CORRECTION_LEVELS: readonly ErrorCorrectionLevel[] = ['L', 'M', 'Q', 'H'];

/** The ECI assignment number of UTF-8 (ISO/IEC 18004, AIM ECI). */
export const ECI_UTF8 = 26;

export interface QrMatrix {
  /** Modules per side, quiet zone not included. */
  readonly size: number;
  readonly version: number;
  readonly errorCorrection: ErrorCorrectionLevel;
  /** True when an ECI 000026 (UTF-8) designator precedes the data. */
  readonly eci: boolean;
  /** UTF-8 bytes of the payload carried in the byte-mode segment. */
  readonly payloadBytes: number;
  /** 1 = dark, 0 = light; row-major, index = y * size + x. */
  readonly modules: Uint8Array;
}

interface QrSegmentsModule {
  fromArray: (array: readonly unknown[]) => unknown[];
}
type CreateFn = typeof QRCodeTypes.create;

const require = createRequire(import.meta.url);
const qrcodeCore = require('qrcode/lib/core/qrcode.js') as { create: CreateFn };
const qrcodeSegments = require('qrcode/lib/core/segments.js') as QrSegmentsModule;

const ECI_SEGMENT_TAG = Symbol.for('saoma.images.eciSegment');

interface EciSegment {
  readonly [ECI_SEGMENT_TAG]: true;
  readonly mode: { readonly id: 'ECI'; readonly bit: number; readonly ccBits: readonly number[] };
  getLength(): number;
  getBitsLength(): number;
  write(): void;
}

function eciSegment(designator: number): EciSegment {
  if (!Number.isInteger(designator) || designator < 0 || designator > 127) {
    throw new Error(`ECI designator ${designator} needs the multi-byte form; only designators 0-127 are supported`);
  }
  return {
    [ECI_SEGMENT_TAG]: true,
    // Mode indicator 0111 (ECI); the 8-bit "character count" slot holds the designator byte.
    mode: { id: 'ECI', bit: 0b0111, ccBits: [8, 8, 8] },
    getLength: () => designator,
    getBitsLength: () => 0,
    write: () => undefined,
  };
}

function isEciSegment(value: unknown): value is EciSegment {
  return typeof value === 'object' && value !== null && (value as Partial<EciSegment>)[ECI_SEGMENT_TAG] === true;
}

function installEciSupport(): void {
  const original = qrcodeSegments.fromArray as QrSegmentsModule['fromArray'] & { [ECI_SEGMENT_TAG]?: true };
  if (typeof original !== 'function') {
    throw new Error('qrcode/lib/core/segments.js has no fromArray: the pinned qrcode version changed');
  }
  if (original[ECI_SEGMENT_TAG]) return; // already installed (another copy of this module)
  const patched = function fromArray(array: readonly unknown[]): unknown[] {
    if (!array.some(isEciSegment)) return original(array);
    const out: unknown[] = [];
    let run: unknown[] = [];
    for (const item of array) {
      if (isEciSegment(item)) {
        out.push(...original(run), item);
        run = [];
      } else {
        run.push(item);
      }
    }
    out.push(...original(run));
    return out;
  };
  Object.defineProperty(patched, ECI_SEGMENT_TAG, { value: true });
  qrcodeSegments.fromArray = patched;
}
installEciSupport();

/** True when EMV asks for the UTF-8 ECI: any character outside printable ASCII. */
export function needsUtf8Eci(payload: string): boolean {
  return /[^\x20-\x7e]/.test(payload);
}

export function checkErrorCorrection(value: unknown): ErrorCorrectionLevel {
  if (value === undefined) return ERROR_CORRECTION_DEFAULT;
  if (typeof value === 'string' && (ERROR_CORRECTION_LEVELS as readonly string[]).includes(value)) {
    return value as ErrorCorrectionLevel;
  }
  throw new QrRenderError('QR_OPTION_INVALID', `errorCorrection must be one of L, M, Q, H`, 'errorCorrection');
}

/** An integer option within [min, max], or its default when undefined. */
export function checkIntegerOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new QrRenderError('QR_OPTION_INVALID', `${name} must be an integer from ${min} to ${max}`, name);
  }
  return value;
}

/** Encodes the payload's UTF-8 bytes in one byte-mode segment (after ECI 000026 when needed). */
export function encodeQrMatrix(payload: string, errorCorrection?: ErrorCorrectionLevel): QrMatrix {
  if (typeof payload !== 'string' || payload.length === 0) {
    throw new QrRenderError('QR_PAYLOAD_INVALID', 'payload must be a non-empty string', 'payload');
  }
  // In a /u regex a surrogate class matches only unpaired surrogates, which UTF-8 cannot carry.
  if (/[\ud800-\udfff]/u.test(payload)) {
    throw new QrRenderError('QR_PAYLOAD_INVALID', 'payload holds an unpaired UTF-16 surrogate', 'payload');
  }
  const level = checkErrorCorrection(errorCorrection);
  const bytes = new TextEncoder().encode(payload);
  if (bytes.length > QR_PAYLOAD_BYTES_MAX) {
    throw new QrRenderError(
      'QR_PAYLOAD_TOO_LONG',
      `payload is ${bytes.length} UTF-8 bytes; at most ${QR_PAYLOAD_BYTES_MAX} are rendered`,
      'payload',
    );
  }
  const eci = needsUtf8Eci(payload);
  const byteSegment: QRCodeTypes.QRCodeByteSegment = { data: bytes, mode: 'byte' };
  const segments: unknown[] = eci ? [eciSegment(ECI_UTF8), byteSegment] : [byteSegment];

  let symbol: QRCodeTypes.QRCode;
  try {
    symbol = qrcodeCore.create(segments as QRCodeTypes.QRCodeSegment[], { errorCorrectionLevel: level });
  } catch (error) {
    const message = error instanceof Error ? error.message.trim() : String(error);
    if (/too big|cannot contain/i.test(message)) {
      throw new QrRenderError(
        'QR_PAYLOAD_TOO_LONG',
        `payload (${bytes.length} UTF-8 bytes) does not fit a QR code at error correction ${level}`,
        'payload',
      );
    }
    throw error;
  }

  // The symbol must hold exactly what was asked: [ECI?] + one byte segment of these bytes.
  const got = symbol.segments as unknown[];
  const okShape = eci
    ? got.length === 2 && isEciSegment(got[0]) && (got[1] as { mode?: { id?: string } }).mode?.id === 'Byte'
    : got.length === 1 && (got[0] as { mode?: { id?: string } }).mode?.id === 'Byte';
  if (!okShape) {
    throw new Error('qrcode did not build the expected [ECI] + byte segments: the pinned qrcode version changed');
  }

  const size = symbol.modules.size;
  const modules = new Uint8Array(size * size);
  for (let i = 0; i < modules.length; i++) modules[i] = symbol.modules.data[i] ? 1 : 0;
  return { size, version: symbol.version, errorCorrection: level, eci, payloadBytes: bytes.length, modules };
}
