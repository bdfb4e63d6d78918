// Finding and reading a QR symbol in a luminance image with @zxing/library 0.21's parts.
//
// zxing-js 0.21's QRCodeReader misses many clean, computer-drawn codes (about one in seven of
// the renders tried here at 3-10 px per module): its finder-pattern search stops scanning as soon
// as three centres of similar size are "confirmed", and data modules of a sharp image often form
// a 1:1:3:1:1 pattern that passes every cross-check. It then keeps the wrong triple, and never
// sees the real third finder pattern further down. (Java ZXing 3.4+ picks the triple that best
// forms an isosceles right triangle; the JS port still has the older rule.)
//
// So this module runs the same pieces (binarizer, FinderPatternFinder, Detector, Decoder) with
// a finder that scans every row to the end, ranks all triples of candidate centres by how far
// they are from an isosceles right triangle (Java ZXing's measure), and tries the best few in
// turn until one decodes. Each try is bounded; nothing is patched globally.

import { createRequire } from 'node:module';
import type * as Zxing from '@zxing/library';
import { decodeCharset } from './charset.js';

// The few shapes used from zxing's internals (CommonJS build; its typings are a separate copy of
// the ESM ones, so they are described here rather than mixed).
interface FinderPattern {
  getX(): number;
  getY(): number;
  getEstimatedModuleSize(): number;
  getCount(): number;
}
interface FinderPatternInfo {
  getBottomLeft(): FinderPattern;
  getTopLeft(): FinderPattern;
  getTopRight(): FinderPattern;
}
interface DetectorResult {
  getBits(): Zxing.BitMatrix;
}
export interface DecoderResult {
  getText(): string;
  getRawBytes(): Uint8Array;
}
type Hints = Map<Zxing.DecodeHintType, unknown>;

// Everything from the CommonJS build, through one require, so that classes (and instanceof on
// zxing's exceptions) are the same objects whichever way a test runner loads the package.
const require = createRequire(import.meta.url);
const zxing = require('@zxing/library') as typeof Zxing;
function internal<T>(path: string): T {
  return (require(`@zxing/library/cjs/core/qrcode/${path}.js`) as { default: T }).default;
}
const FinderPatternFinder = internal<new (image: Zxing.BitMatrix, callback: undefined) => { find(hints: Hints): FinderPatternInfo }>(
  'detector/FinderPatternFinder',
);
const FinderPatternInfoClass = internal<new (patterns: FinderPattern[]) => FinderPatternInfo>('detector/FinderPatternInfo');
const Detector = internal<new (image: Zxing.BitMatrix) => { processFinderPatternInfo(info: FinderPatternInfo): DetectorResult }>(
  'detector/Detector',
);
// zxing-js cannot decode ISO-8859-1 (or name most legacy sets) in Node without this; see charset.ts.
zxing.ZXingStringEncoding.customDecoder ??= decodeCharset;

const Decoder = internal<new () => { decodeBitMatrix(bits: Zxing.BitMatrix, hints: Hints): DecoderResult }>('decoder/Decoder');

/** Candidate finder-pattern centres considered (the most often confirmed first): at most C(40,3) triples. */
export const QR_FINDER_CANDIDATES_MAX = 40;
/** Triples of centres tried, best-shaped first, before giving up on one binarised image. */
export const QR_FINDER_TRIPLES_TRIED_MAX = 6;
/** Module sizes of one triple may differ by this factor at most (Java ZXing's bound). */
const MODULE_SIZE_RATIO_MAX = 1.4;


function squaredDistance(a: FinderPattern, b: FinderPattern): number {
  const dx = a.getX() - b.getX();
  const dy = a.getY() - b.getY();
  return dx * dx + dy * dy;
}

/** Triples ranked by distortion from an isosceles right triangle, best first. */
export function rankFinderTriples(centres: readonly FinderPattern[], keep: number): FinderPattern[][] {
  const pool = [...centres]
    .sort((a, b) => b.getCount() - a.getCount())
    .slice(0, QR_FINDER_CANDIDATES_MAX)
    .sort((a, b) => a.getEstimatedModuleSize() - b.getEstimatedModuleSize());
  const ranked: { distortion: number; triple: FinderPattern[] }[] = [];
  for (let i = 0; i < pool.length - 2; i++) {
    const pi = pool[i] as FinderPattern;
    const minModule = pi.getEstimatedModuleSize();
    for (let j = i + 1; j < pool.length - 1; j++) {
      const pj = pool[j] as FinderPattern;
      const ij = squaredDistance(pi, pj);
      for (let k = j + 1; k < pool.length; k++) {
        const pk = pool[k] as FinderPattern;
        if (pk.getEstimatedModuleSize() > minModule * MODULE_SIZE_RATIO_MAX) break; // sorted by size
        const [a, b, c] = [ij, squaredDistance(pj, pk), squaredDistance(pi, pk)].sort((x, y) => x - y) as [
          number,
          number,
          number,
        ];
        // A right isosceles triangle has c = 2a = 2b.
        const distortion = Math.abs(c - 2 * b) + Math.abs(c - 2 * a);
        if (a === 0) continue;
        ranked.push({ distortion, triple: [pi, pj, pk] });
      }
    }
  }
  ranked.sort((x, y) => x.distortion - y.distortion);
  return ranked.slice(0, keep).map((r) => r.triple);
}

/** zxing's finder, made to scan the whole image and to keep every candidate. */
class ThoroughFinderPatternFinder extends FinderPatternFinder {
  ranked: FinderPattern[][] = [];

  // The base class stops once three consistent centres are confirmed, or skips rows towards
  // where it guesses the third one is; here neither happens.
  haveMultiplyConfirmedCenters(): boolean {
    return false;
  }

  findRowSkip(): number {
    return 0;
  }

  selectBestPatterns(): FinderPattern[] {
    const centres = (this as unknown as { getPossibleCenters(): FinderPattern[] }).getPossibleCenters();
    this.ranked = rankFinderTriples(centres, QR_FINDER_TRIPLES_TRIED_MAX);
    const best = this.ranked[0];
    if (best === undefined) throw new zxing.NotFoundException('fewer than three finder patterns');
    return [...best];
  }
}

/** Where the best-shaped finder triple of a failed read lies: enough to turn the symbol upright. */
export interface FinderGeometry {
  readonly topLeft: { readonly x: number; readonly y: number };
  readonly topRight: { readonly x: number; readonly y: number };
  readonly bottomLeft: { readonly x: number; readonly y: number };
  readonly moduleSizePx: number;
}

export type ReadOutcome =
  | { readonly ok: true; readonly result: DecoderResult }
  /** found: a symbol was located but could not be decoded; geometry: its best finder triple. */
  | { readonly ok: false; readonly found: boolean; readonly geometry?: FinderGeometry };

function geometryOf(info: FinderPatternInfo): FinderGeometry {
  const point = (p: FinderPattern): { x: number; y: number } => ({ x: p.getX(), y: p.getY() });
  const tl = info.getTopLeft();
  const tr = info.getTopRight();
  const bl = info.getBottomLeft();
  return {
    topLeft: point(tl),
    topRight: point(tr),
    bottomLeft: point(bl),
    moduleSizePx: (tl.getEstimatedModuleSize() + tr.getEstimatedModuleSize() + bl.getEstimatedModuleSize()) / 3,
  };
}

/** Locates and decodes a QR symbol in one binarised image, trying the best-shaped triples in turn. */
export function readBinarized(bits: Zxing.BitMatrix, hints: Hints): ReadOutcome {
  const finder = new ThoroughFinderPatternFinder(bits, undefined);
  try {
    finder.find(hints);
  } catch (error) {
    if (error instanceof zxing.NotFoundException) return { ok: false, found: false };
    throw error;
  }
  const detector = new Detector(bits);
  const decoder = new Decoder();
  let found = false;
  let geometry: FinderGeometry | undefined;
  for (const triple of finder.ranked) {
    const ordered = [...triple];
    zxing.ResultPoint.orderBestPatterns(ordered as unknown as Zxing.ResultPoint[]);
    const info = new FinderPatternInfoClass(ordered);
    geometry ??= geometryOf(info);
    try {
      const detected = detector.processFinderPatternInfo(info);
      found = true;
      return { ok: true, result: decoder.decodeBitMatrix(detected.getBits(), hints) };
    } catch (error) {
      if (
        error instanceof zxing.NotFoundException ||
        error instanceof zxing.FormatException ||
        error instanceof zxing.ChecksumException
      ) {
        continue;
      }
      throw error;
    }
  }
  return geometry === undefined ? { ok: false, found } : { ok: false, found, geometry };
}

/** Reads a QR symbol from a luminance image: local then global threshold, then light-on-dark. */
export function readLuminance(luminances: Uint8ClampedArray, width: number, height: number, hints: Hints): ReadOutcome {
  const source = new zxing.RGBLuminanceSource(luminances, width, height);
  const attempts: (() => Zxing.Binarizer)[] = [
    () => new zxing.HybridBinarizer(source),
    () => new zxing.GlobalHistogramBinarizer(source),
    () => new zxing.HybridBinarizer(source.invert()),
  ];
  let found = false;
  let geometry: FinderGeometry | undefined;
  for (const binarizer of attempts) {
    let bits: Zxing.BitMatrix;
    try {
      bits = binarizer().getBlackMatrix();
    } catch (error) {
      if (error instanceof zxing.NotFoundException) continue; // e.g. an all-white image
      throw error;
    }
    const outcome = readBinarized(bits, hints);
    if (outcome.ok) return outcome;
    found ||= outcome.found;
    geometry ??= outcome.geometry;
  }
  return geometry === undefined ? { ok: false, found } : { ok: false, found, geometry };
}

/** Pixels per module of the upright resample, and its quiet zone in modules. */
const UPRIGHT_MODULE_PX = 5;
const UPRIGHT_QUIET_MODULES = 6;
/** The upright resample is skipped when it would exceed this many pixels. */
const UPRIGHT_PIXELS_MAX = 2048 * 2048;

/**
 * Resamples the region of the finder triple so that the symbol stands upright (top-left finder
 * at the top left, top-right to its right, bottom-left below; a mirrored symbol comes out
 * unmirrored) at UPRIGHT_MODULE_PX per module. zxing samples rotated large symbols through a
 * single perspective transform and often misses; upright, the same symbol reads.
 */
export function resampleUpright(
  luminances: Uint8ClampedArray,
  width: number,
  height: number,
  geometry: FinderGeometry,
): { luminances: Uint8ClampedArray; width: number; height: number } | undefined {
  const { topLeft: tl, topRight: tr, bottomLeft: bl, moduleSizePx } = geometry;
  const across = Math.hypot(tr.x - tl.x, tr.y - tl.y);
  const down = Math.hypot(bl.x - tl.x, bl.y - tl.y);
  if (!(moduleSizePx > 0) || across === 0 || down === 0) return undefined;
  const ex = { x: (tr.x - tl.x) / across, y: (tr.y - tl.y) / across };
  let ey = { x: -ex.y, y: ex.x };
  if ((bl.x - tl.x) * ey.x + (bl.y - tl.y) * ey.y < 0) ey = { x: -ey.x, y: -ey.y };
  const pad = UPRIGHT_QUIET_MODULES + 3.5; // quiet zone + half a finder pattern
  const outWidth = Math.ceil((across / moduleSizePx + 2 * pad) * UPRIGHT_MODULE_PX);
  const outHeight = Math.ceil((down / moduleSizePx + 2 * pad) * UPRIGHT_MODULE_PX);
  if (outWidth * outHeight > UPRIGHT_PIXELS_MAX) return undefined;
  const srcPerOut = moduleSizePx / UPRIGHT_MODULE_PX;
  const origin = pad * UPRIGHT_MODULE_PX;
  const out = new Uint8ClampedArray(outWidth * outHeight);
  const at = (x: number, y: number): number =>
    x < 0 || y < 0 || x >= width || y >= height ? 255 : (luminances[y * width + x] ?? 255);
  for (let v = 0; v < outHeight; v++) {
    for (let u = 0; u < outWidth; u++) {
      const du = (u + 0.5 - origin) * srcPerOut;
      const dv = (v + 0.5 - origin) * srcPerOut;
      const sx = tl.x + du * ex.x + dv * ey.x - 0.5;
      const sy = tl.y + du * ex.y + dv * ey.y - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[v * outWidth + u] = top * (1 - fy) + bottom * fy;
    }
  }
  return { luminances: out, width: outWidth, height: outHeight };
}

/** Reads as is; when a symbol was located but not read, reads it again resampled upright. */
export function readQr(luminances: Uint8ClampedArray, width: number, height: number, hints: Hints): ReadOutcome {
  const first = readLuminance(luminances, width, height, hints);
  if (first.ok || first.geometry === undefined) return first;
  const upright = resampleUpright(luminances, width, height, first.geometry);
  if (upright === undefined) return first;
  const second = readLuminance(upright.luminances, upright.width, upright.height, hints);
  return second.ok ? second : { ok: false, found: first.found || second.found };
}

export { zxing };
