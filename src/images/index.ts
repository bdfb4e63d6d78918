// QR images: render codes as SVG and PNG, a printable merchant poster, and decode a code from a
// PNG or JPEG file. Payloads are plain strings; nothing here knows EMV. See docs/qr-images.md.

export { renderQrSvg, type QrSvgOptions } from './svg.js';
export { renderQrPng, type QrPngOptions } from './png.js';
export { renderPosterSvg, POSTER_HEIGHT_MM, POSTER_WIDTH_MM, type PosterOptions } from './poster.js';
export { decodeQrImage, type QrImageDecodeResult } from './decode.js';
export { ERROR_CORRECTION_DEFAULT, type ErrorCorrectionLevel } from './matrix.js';
export { QrRenderError, type QrImageDecodeErrorCode, type QrRenderErrorCode } from './errors.js';
export * from './limits.js';
