// QR code → PNG (8-bit greyscale), drawn pixel by pixel and written with pngjs.

import { PNG } from 'pngjs';
import { QrRenderError } from './errors.js';
import { IMAGE_SIDE_PX_MAX, QR_SCALE_PX_DEFAULT, QR_SCALE_PX_MAX } from './limits.js';
import { checkIntegerOption, encodeQrMatrix, type ErrorCorrectionLevel } from './matrix.js';
import { checkMargin } from './svg.js';

export interface QrPngOptions {
  /** Pixels per module, an integer (whole pixels keep module edges sharp). Default 8. */
  scale?: number;
  /** Quiet zone, in modules, on each side. Default 4. */
  marginModules?: number;
  /** Default M. */
  errorCorrection?: ErrorCorrectionLevel;
}

/** An RGBA raster: 4 bytes per pixel, row-major. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** Draws the symbol as RGBA pixels (black on white, opaque). No side exceeds IMAGE_SIDE_PX_MAX. */
export function renderQrRgba(payload: string, options: QrPngOptions = {}): RgbaImage {
  const scale = checkIntegerOption('scale', options.scale, QR_SCALE_PX_DEFAULT, 1, QR_SCALE_PX_MAX);
  const margin = checkMargin(options.marginModules);
  const matrix = encodeQrMatrix(payload, options.errorCorrection);
  const sideModules = matrix.size + 2 * margin;
  const side = sideModules * scale;
  if (side > IMAGE_SIDE_PX_MAX) {
    throw new QrRenderError(
      'QR_OPTION_INVALID',
      `a ${sideModules}-module symbol at scale ${scale} is ${side} px wide; at most ${IMAGE_SIDE_PX_MAX} px`,
      'scale',
    );
  }
  const data = new Uint8Array(side * side * 4).fill(255);
  for (let my = 0; my < matrix.size; my++) {
    for (let mx = 0; mx < matrix.size; mx++) {
      if (matrix.modules[my * matrix.size + mx] !== 1) continue;
      const x0 = (mx + margin) * scale;
      const y0 = (my + margin) * scale;
      for (let y = y0; y < y0 + scale; y++) {
        const row = y * side;
        for (let x = x0; x < x0 + scale; x++) {
          const i = (row + x) * 4;
          data[i] = 0;
          data[i + 1] = 0;
          data[i + 2] = 0;
        }
      }
    }
  }
  return { width: side, height: side, data };
}

/** Encodes an RGBA raster as PNG; greyscale output when every pixel is grey and opaque. */
export function encodePng(image: RgbaImage, colorType: 0 | 2 | 6 = 6): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType });
}

/** Renders the payload as a PNG (byte mode; ECI 000026 when not ASCII). */
export function renderQrPng(payload: string, options: QrPngOptions = {}): Buffer {
  return encodePng(renderQrRgba(payload, options), 0);
}
