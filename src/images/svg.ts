// QR code → SVG: one <path> of dark modules (horizontal runs), on a white square with the quiet zone.

import { QrRenderError } from './errors.js';
import {
  QR_MARGIN_MODULES_DEFAULT,
  QR_MARGIN_MODULES_MAX,
  QR_SCALE_PX_DEFAULT,
  QR_SCALE_PX_MAX,
} from './limits.js';
import { checkIntegerOption, encodeQrMatrix, type ErrorCorrectionLevel, type QrMatrix } from './matrix.js';

export interface QrSvgOptions {
  /** Quiet zone, in modules, on each side. Default 4 (ISO/IEC 18004); fewer makes scanning less reliable. */
  marginModules?: number;
  /** L 7 %, M 15 % (default), Q 25 %, H 30 % of codewords restorable. */
  errorCorrection?: ErrorCorrectionLevel;
  /** Pixels per module for the width and height attributes. Default 8. The drawing is vector either way. */
  scale?: number;
}

export const QR_DARK_COLOR = '#000000';
export const QR_LIGHT_COLOR = '#ffffff';

/** Path data of the dark modules, in module units, offset by the quiet zone. */
export function qrPathData(matrix: QrMatrix, marginModules: number): string {
  const { size, modules } = matrix;
  const parts: string[] = [];
  for (let y = 0; y < size; y++) {
    let x = 0;
    while (x < size) {
      if (modules[y * size + x] !== 1) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && modules[y * size + x] === 1) x++;
      const run = x - start;
      parts.push(`M${start + marginModules} ${y + marginModules}h${run}v1h-${run}z`);
    }
  }
  return parts.join('');
}

export function checkMargin(value: unknown): number {
  return checkIntegerOption('marginModules', value, QR_MARGIN_MODULES_DEFAULT, 0, QR_MARGIN_MODULES_MAX);
}

/** The symbol in module units: a white square of side `size + 2 × margin` and the dark path. */
export function qrSvgBody(matrix: QrMatrix, marginModules: number): string {
  const side = matrix.size + 2 * marginModules;
  return (
    `<rect width="${side}" height="${side}" fill="${QR_LIGHT_COLOR}"/>` +
    `<path fill="${QR_DARK_COLOR}" d="${qrPathData(matrix, marginModules)}"/>`
  );
}

/** Renders the payload as a standalone SVG document (byte mode; ECI 000026 when not ASCII). */
export function renderQrSvg(payload: string, options: QrSvgOptions = {}): string {
  const margin = checkMargin(options.marginModules);
  const scale = checkIntegerOption('scale', options.scale, QR_SCALE_PX_DEFAULT, 1, QR_SCALE_PX_MAX);
  const matrix = encodeQrMatrix(payload, options.errorCorrection);
  const side = matrix.size + 2 * margin;
  if (side * scale > Number.MAX_SAFE_INTEGER) throw new QrRenderError('QR_OPTION_INVALID', 'scale too large', 'scale');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${side * scale}" height="${side * scale}" ` +
    `viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges" role="img" aria-label="QR code">` +
    qrSvgBody(matrix, margin) +
    `</svg>\n`
  );
}
