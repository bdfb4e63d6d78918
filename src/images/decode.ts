// PNG/JPEG bytes → the text of the QR code in them, in Node: pure-JS codecs (pngjs, jpeg-js) to
// RGBA, luminance composited over white, then @zxing/library's QR reader.
// Never throws for bad input: every failure is a typed result.

import type { DecodeHintType } from '@zxing/library';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { QrImageDecodeErrorCode } from './errors.js';
import { IMAGE_INPUT_BYTES_MAX, IMAGE_JPEG_DECODE_MEMORY_MIB_MAX, IMAGE_PIXELS_MAX, IMAGE_SIDE_PX_MAX } from './limits.js';
import type { RgbaImage } from './png.js';
import { readQr, zxing } from './detect.js';
import { checkInterlacedPngInflation, jpegHeader, pngHeader, sniffImage, type ImageKind } from './sniff.js';

export type QrImageDecodeResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly code: QrImageDecodeErrorCode; readonly message: string };

/** What the tests and tools may want beyond the text. */
export type QrImageDecodeDetail =
  | {
      readonly ok: true;
      readonly text: string;
      readonly kind: ImageKind;
      readonly width: number;
      readonly height: number;
      /** The symbol's data codewords (mode indicators, counts and data, before padding). */
      readonly dataCodewords: Uint8Array;
      /** The ECI designator the symbol starts with, if it starts with one. */
      readonly eci: number | undefined;
    }
  | { readonly ok: false; readonly code: QrImageDecodeErrorCode; readonly message: string };

function fail(code: QrImageDecodeErrorCode, message: string): QrImageDecodeDetail & { ok: false } {
  return { ok: false, code, message };
}

function sizeProblem(width: number, height: number): string | undefined {
  if (width > IMAGE_SIDE_PX_MAX || height > IMAGE_SIDE_PX_MAX || width * height > IMAGE_PIXELS_MAX) {
    return `image is ${width} × ${height} px; at most ${IMAGE_SIDE_PX_MAX} × ${IMAGE_SIDE_PX_MAX} px are decoded`;
  }
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function decodePixels(bytes: Uint8Array, kind: ImageKind, width: number, height: number): RgbaImage | QrImageDecodeDetail {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let image: RgbaImage;
  if (kind === 'png') {
    const inflation = checkInterlacedPngInflation(bytes, width, height);
    if (inflation !== undefined) return fail('IMAGE_CORRUPT', inflation);
    try {
      const png = PNG.sync.read(buffer, { checkCRC: true });
      image = { width: png.width, height: png.height, data: png.data };
    } catch (error) {
      return fail('IMAGE_CORRUPT', `PNG cannot be decoded: ${errorText(error)}`);
    }
  } else {
    try {
      const decoded = jpeg.decode(buffer, {
        useTArray: true,
        formatAsRGBA: true,
        tolerantDecoding: true,
        maxResolutionInMP: IMAGE_PIXELS_MAX / 1_000_000,
        maxMemoryUsageInMB: IMAGE_JPEG_DECODE_MEMORY_MIB_MAX,
      });
      image = { width: decoded.width, height: decoded.height, data: decoded.data };
    } catch (error) {
      const message = errorText(error);
      if (/maxResolutionInMP|maxMemoryUsageInMB/.test(message)) return fail('IMAGE_TOO_LARGE', `JPEG: ${message}`);
      return fail('IMAGE_CORRUPT', `JPEG cannot be decoded: ${message}`);
    }
  }
  if (image.width !== width || image.height !== height || image.data.length !== width * height * 4) {
    return fail('IMAGE_CORRUPT', `${kind.toUpperCase()} decodes to other dimensions than its header declares`);
  }
  return image;
}

/** BT.601 luma of each pixel, composited over white (transparent pixels read as paper). */
export function luminance(image: RgbaImage): Uint8ClampedArray {
  const { width, height, data } = image;
  const out = new Uint8ClampedArray(width * height);
  for (let p = 0, i = 0; p < out.length; p++, i += 4) {
    const a = data[i + 3] ?? 255;
    const y = ((data[i] ?? 0) * 77 + (data[i + 1] ?? 0) * 150 + (data[i + 2] ?? 0) * 29) >> 8;
    out[p] = a === 255 ? y : (y * a + 255 * (255 - a)) / 255;
  }
  return out;
}

const UTF8_HINTS = new Map<DecodeHintType, unknown>([
  [zxing.DecodeHintType.TRY_HARDER, true],
  // Byte segments without an ECI are read as UTF-8 (what EMV and every wallet write) instead of
  // being guessed among ISO-8859-1, Shift_JIS and UTF-8. An ECI in the symbol still wins.
  [zxing.DecodeHintType.CHARACTER_SET, 'UTF-8'],
]);
const GUESS_HINTS = new Map<DecodeHintType, unknown>([[zxing.DecodeHintType.TRY_HARDER, true]]);

function readText(
  lum: Uint8ClampedArray,
  width: number,
  height: number,
): { text: string; rawBytes: Uint8Array } | { found: boolean } {
  const outcome = readQr(lum, width, height, UTF8_HINTS);
  if (!outcome.ok) return { found: outcome.found };
  const text = outcome.result.getText();
  if (text.includes('\ufffd')) {
    // Not valid UTF-8 and no ECI: a legacy code (ISO-8859-1 or Shift_JIS); let zxing guess.
    const guessed = readQr(lum, width, height, GUESS_HINTS);
    if (guessed.ok && !guessed.result.getText().includes('\ufffd')) {
      return { text: guessed.result.getText(), rawBytes: guessed.result.getRawBytes() };
    }
  }
  return { text, rawBytes: outcome.result.getRawBytes() };
}

/** ECI designator at the start of the data codewords (mode 0111), if any. */
function leadingEci(codewords: Uint8Array): number | undefined {
  const first = codewords[0];
  const second = codewords[1];
  if (first === undefined || second === undefined || first >> 4 !== 0b0111) return undefined;
  const designatorByte = ((first & 0x0f) << 4) | (second >> 4);
  return designatorByte & 0x80 ? undefined : designatorByte; // one-byte form only
}

/** Decodes with details (image kind and size, data codewords, ECI). Never throws. */
export async function decodeQrImageDetail(bytes: Uint8Array): Promise<QrImageDecodeDetail> {
  try {
    if (!(bytes instanceof Uint8Array)) return fail('IMAGE_UNSUPPORTED', 'expected the bytes of a PNG or JPEG file');
    if (bytes.length > IMAGE_INPUT_BYTES_MAX) {
      return fail('IMAGE_TOO_LARGE', `image file is ${bytes.length} bytes; at most ${IMAGE_INPUT_BYTES_MAX} are accepted`);
    }
    if (bytes.length === 0) return fail('IMAGE_UNSUPPORTED', 'the image file is empty');
    const sniffed = sniffImage(bytes);
    if (sniffed.kind === 'other') {
      const what = sniffed.name === undefined ? 'not a PNG or JPEG file' : `${sniffed.name} images are not supported`;
      return fail('IMAGE_UNSUPPORTED', `${what}; send a PNG or JPEG`);
    }
    const kind = sniffed.kind;
    const header = kind === 'png' ? pngHeader(bytes) : jpegHeader(bytes);
    if (!header.ok) return fail('IMAGE_CORRUPT', header.message);
    const tooLarge = sizeProblem(header.width, header.height);
    if (tooLarge !== undefined) return fail('IMAGE_TOO_LARGE', tooLarge);

    const image = decodePixels(bytes, kind, header.width, header.height);
    if ('ok' in image) return image;

    const read = readText(luminance(image), image.width, image.height);
    if (!('text' in read)) {
      return fail(
        'QR_NOT_FOUND',
        read.found
          ? 'a QR code was found but could not be read (damaged, blurred, too small or low contrast)'
          : 'no QR code found in the image',
      );
    }
    const dataCodewords = read.rawBytes ?? new Uint8Array(0);
    return {
      ok: true,
      text: read.text,
      kind,
      width: image.width,
      height: image.height,
      dataCodewords,
      eci: leadingEci(dataCodewords),
    };
  } catch (error) {
    // Defence in depth: a codec or reader bug must not escape as an exception.
    return fail('IMAGE_CORRUPT', `image could not be processed: ${errorText(error)}`);
  }
}

/** Decodes the QR code in a PNG or JPEG file. Never throws for bad input. */
export async function decodeQrImage(bytes: Uint8Array): Promise<QrImageDecodeResult> {
  const detail = await decodeQrImageDetail(bytes);
  return detail.ok ? { ok: true, text: detail.text } : { ok: false, code: detail.code, message: detail.message };
}
