// Image type by magic bytes, and the dimensions from the header, read before any pixel is decoded
// so that a small file declaring a huge image is refused without allocating it.

import { inflateSync } from 'node:zlib';

export type ImageKind = 'png' | 'jpeg';

export type Sniffed =
  | { readonly kind: ImageKind }
  | { readonly kind: 'other'; readonly name: string | undefined };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

/** PNG and JPEG by signature; a few other formats are named only for the error message. */
export function sniffImage(bytes: Uint8Array): Sniffed {
  if (startsWith(bytes, PNG_SIGNATURE)) return { kind: 'png' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { kind: 'jpeg' };
  let name: string | undefined;
  if (ascii(bytes, 0, 4) === 'GIF8') name = 'GIF';
  else if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') name = 'WebP';
  else if (ascii(bytes, 0, 2) === 'BM') name = 'BMP';
  else if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) name = 'TIFF';
  else if (ascii(bytes, 4, 4) === 'ftyp') name = 'HEIF/AVIF';
  else if (/^\s*(<\?xml|<svg)/i.test(ascii(bytes, 0, 64))) name = 'SVG';
  else if (ascii(bytes, 0, 5) === '%PDF-') name = 'PDF';
  return { kind: 'other', name };
}

export type HeaderResult =
  | { readonly ok: true; readonly width: number; readonly height: number }
  | { readonly ok: false; readonly message: string };

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) * 0x1000000 + ((bytes[at + 1] ?? 0) << 16) + ((bytes[at + 2] ?? 0) << 8) + (bytes[at + 3] ?? 0));
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

/** Width and height from the IHDR chunk, which must come first. */
export function pngHeader(bytes: Uint8Array): HeaderResult {
  if (bytes.length < 33) return { ok: false, message: 'PNG is truncated before the end of its header' };
  if (u32(bytes, 8) !== 13 || ascii(bytes, 12, 4) !== 'IHDR') {
    return { ok: false, message: 'PNG does not start with an IHDR chunk' };
  }
  const width = u32(bytes, 16);
  const height = u32(bytes, 20);
  if (width === 0 || height === 0) return { ok: false, message: 'PNG declares a zero width or height' };
  return { ok: true, width, height };
}

const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * pngjs inflates interlaced images without an output bound. Check first that the compressed
 * data inflates to no more than the Adam7 passes of the declared size need (a deflate bomb in a
 * 10 MiB file could otherwise expand a thousandfold). Non-interlaced images are inflated by
 * pngjs with that bound already. Returns an error message, or undefined when the data is fine.
 */
export function checkInterlacedPngInflation(bytes: Uint8Array, width: number, height: number): string | undefined {
  const bitDepth = bytes[24] ?? 0;
  const colorType = bytes[25] ?? 0;
  const interlace = bytes[28] ?? 0;
  if (interlace !== 1) return undefined;
  const channels = PNG_CHANNELS[colorType];
  if (channels === undefined || ![1, 2, 4, 8, 16].includes(bitDepth)) return 'PNG has an invalid colour type or bit depth';
  const bitsPerPixel = channels * bitDepth;
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  let expected = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    if (w > 0 && h > 0) expected += h * (Math.ceil((w * bitsPerPixel) / 8) + 1);
  }
  const idat: Uint8Array[] = [];
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = u32(bytes, at);
    const type = ascii(bytes, at + 4, 4);
    if (at + 12 + length > bytes.length) return 'PNG is truncated inside a chunk';
    if (type === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + length));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  try {
    inflateSync(Buffer.concat(idat), { maxOutputLength: expected + 1 });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') return 'PNG image data inflates to more than its declared size';
    return 'PNG image data does not inflate';
  }
  return undefined;
}

/** Width and height from the first start-of-frame marker (SOF0-SOF15 except DHT, JPG, DAC). */
export function jpegHeader(bytes: Uint8Array): HeaderResult {
  let at = 2;
  // Each step moves at least 2 bytes forward, so the walk ends.
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return { ok: false, message: `JPEG marker expected at byte ${at}` };
    let marker = bytes[at + 1] ?? 0;
    while (marker === 0xff && at + 2 < bytes.length) {
      at++; // fill bytes
      marker = bytes[at + 1] ?? 0;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) {
      return { ok: false, message: 'JPEG has no frame header before its scan data' };
    }
    const length = u16(bytes, at + 2);
    if (length < 2) return { ok: false, message: `JPEG segment at byte ${at} has an invalid length` };
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (at + 9 > bytes.length) break;
      const height = u16(bytes, at + 5);
      const width = u16(bytes, at + 7);
      if (width === 0 || height === 0) return { ok: false, message: 'JPEG declares a zero width or height' };
      return { ok: true, width, height };
    }
    at += 2 + length;
  }
  return { ok: false, message: 'JPEG is truncated before its frame header' };
}
