// Raster helpers for the image tests: codecs, geometric transforms, a rasteriser for the QR path
// the SVG renderers emit, PNG chunk building, and a small XML well-formedness check.

import jpeg from 'jpeg-js';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import type { RgbaImage } from '../../src/images/png.js';

export type { RgbaImage };

export function readPng(bytes: Uint8Array): RgbaImage {
  const png = PNG.sync.read(Buffer.from(bytes));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

export function writePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data);
  return PNG.sync.write(png);
}

export function writeJpeg(image: RgbaImage, quality = 85): Buffer {
  return jpeg.encode({ width: image.width, height: image.height, data: Buffer.from(image.data) }, quality).data;
}

export function blank(width: number, height: number, grey = 255): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = grey;
    data[i + 1] = grey;
    data[i + 2] = grey;
    data[i + 3] = 255;
  }
  return { width, height, data };
}

/** A deterministic pseudo-random generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function noise(width: number, height: number, seed: number): RgbaImage {
  const next = rng(seed);
  const image = blank(width, height);
  for (let i = 0; i < image.data.length; i += 4) {
    const v = Math.floor(next() * 256);
    image.data[i] = v;
    image.data[i + 1] = v;
    image.data[i + 2] = v;
  }
  return image;
}

function sample(image: RgbaImage, x: number, y: number, channel: number, fill: number): number {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return fill;
  return image.data[(y * image.width + x) * 4 + channel] ?? fill;
}

/** Bilinear sample at a real position; outside the image reads as `fill`. */
function bilinear(image: RgbaImage, x: number, y: number, channel: number, fill: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const a = sample(image, x0, y0, channel, fill);
  const b = sample(image, x0 + 1, y0, channel, fill);
  const c = sample(image, x0, y0 + 1, channel, fill);
  const d = sample(image, x0 + 1, y0 + 1, channel, fill);
  return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
}

/** Rotates by `degrees` about the centre onto a canvas large enough to hold the result (white fill). */
export function rotate(image: RgbaImage, degrees: number): RgbaImage {
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const width = Math.ceil(Math.abs(image.width * cos) + Math.abs(image.height * sin));
  const height = Math.ceil(Math.abs(image.width * sin) + Math.abs(image.height * cos));
  const out = blank(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - width / 2;
      const dy = y - height / 2;
      const sx = dx * cos + dy * sin + image.width / 2;
      const sy = -dx * sin + dy * cos + image.height / 2;
      for (let c = 0; c < 3; c++) out.data[(y * width + x) * 4 + c] = Math.round(bilinear(image, sx, sy, c, 255));
    }
  }
  return out;
}

/** Scales by a real factor (bilinear). */
export function scale(image: RgbaImage, factor: number): RgbaImage {
  const width = Math.max(1, Math.round(image.width * factor));
  const height = Math.max(1, Math.round(image.height * factor));
  const out = blank(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = (x + 0.5) / factor - 0.5;
      const sy = (y + 0.5) / factor - 0.5;
      for (let c = 0; c < 4; c++) out.data[(y * width + x) * 4 + c] = Math.round(bilinear(image, sx, sy, c, 255));
    }
  }
  return out;
}

/** Copies `image` onto `canvas` at (left, top). */
export function paste(canvas: RgbaImage, image: RgbaImage, left: number, top: number): RgbaImage {
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const to = ((top + y) * canvas.width + left + x) * 4;
      const from = (y * image.width + x) * 4;
      for (let c = 0; c < 4; c++) canvas.data[to + c] = image.data[from + c] ?? 0;
    }
  }
  return canvas;
}

/** Maps every pixel: light-on-dark codes, tinted photos, transparency. */
export function mapPixels(image: RgbaImage, f: (rgba: [number, number, number, number]) => [number, number, number, number]): RgbaImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i += 4) {
    const px = f([image.data[i] ?? 0, image.data[i + 1] ?? 0, image.data[i + 2] ?? 0, image.data[i + 3] ?? 0]);
    data.set(px, i);
  }
  return { width: image.width, height: image.height, data };
}

/**
 * Rasterises the QR path the renderers emit (`M{x} {y}h{n}v1h-{n}z` runs, in module units) on a
 * white square of `sideModules`, at `pxPerModule`. Throws on any other path syntax.
 */
export function rasterizeQrPath(d: string, sideModules: number, pxPerModule: number): RgbaImage {
  const side = sideModules * pxPerModule;
  const out = blank(side, side);
  const run = /M(\d+) (\d+)h(\d+)v1h-(\d+)z/gy;
  let consumed = 0;
  for (const m of d.matchAll(run)) {
    const [, xs, ys, ns, back] = m;
    if (ns !== back) throw new Error(`unbalanced run ${m[0]}`);
    const x0 = Number(xs) * pxPerModule;
    const y0 = Number(ys) * pxPerModule;
    const w = Number(ns) * pxPerModule;
    for (let y = y0; y < y0 + pxPerModule; y++) {
      for (let x = x0; x < x0 + w; x++) {
        const i = (y * side + x) * 4;
        out.data[i] = 0;
        out.data[i + 1] = 0;
        out.data[i + 2] = 0;
      }
    }
    consumed += m[0].length;
  }
  if (consumed !== d.length) throw new Error('path has segments the rasteriser does not know');
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const body = Buffer.concat([head.subarray(4), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([head.subarray(0, 4), body, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG built chunk by chunk: greyscale 8-bit, optionally interlaced, with the given raw IDAT stream. */
export function craftPng(width: number, height: number, options: { interlace?: boolean; inflated?: Uint8Array } = {}): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  ihdr[12] = options.interlace ? 1 : 0;
  const raw = options.inflated ?? new Uint8Array((width + 1) * height);
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/**
 * Checks that a document is well-formed in the subset of XML the renderers emit: elements with
 * double-quoted attributes, text, and the five predefined entities or numeric references.
 * Returns the element names in document order.
 */
export function checkWellFormedXml(xml: string): string[] {
  const stack: string[] = [];
  const names: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let at = 0;
  for (const m of xml.matchAll(token)) {
    at += m[0].length;
    const [, close, name, attrs, selfClose, text] = m;
    const entityText = text ?? attrs ?? '';
    for (const amp of entityText.matchAll(/&([^;]*);?/g)) {
      if (!/^(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+)$/.test(amp[1] ?? '') || !amp[0].endsWith(';')) {
        throw new Error(`bad entity ${amp[0]}`);
      }
    }
    if (text !== undefined) {
      if (stack.length === 0 && text.trim() !== '') throw new Error('text outside the root element');
      continue;
    }
    if (close) {
      if (stack.pop() !== name) throw new Error(`mismatched </${name}>`);
    } else {
      if (stack.length === 0 && names.length > 0) throw new Error('more than one root element');
      names.push(name ?? '');
      if (!selfClose) stack.push(name ?? '');
    }
  }
  if (at !== xml.length) throw new Error(`not well-formed at offset ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
  if (stack.length > 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
  return names;
}
