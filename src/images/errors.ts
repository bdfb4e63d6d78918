// Stable error codes of the images module. They join the catalogue in src/core/errors.ts
// (and docs/errors.md) when that file is free to edit.

/** Why decodeQrImage could not return a text. It never throws; it returns one of these. */
export type QrImageDecodeErrorCode =
  /** Not a PNG or JPEG (by magic bytes), or not bytes at all. */
  | 'IMAGE_UNSUPPORTED'
  /** Looks like PNG or JPEG but cannot be decoded (truncated, bad CRC, bad header). */
  | 'IMAGE_CORRUPT'
  /** Over IMAGE_INPUT_BYTES_MAX, or wider, taller or larger than the pixel limits. */
  | 'IMAGE_TOO_LARGE'
  /** The image decodes but holds no readable QR code. */
  | 'QR_NOT_FOUND';

/** Why a QR code or poster could not be rendered: the caller passed something out of bounds. */
export type QrRenderErrorCode =
  /** Payload is empty, not a string, or holds a lone UTF-16 surrogate (not encodable as UTF-8). */
  | 'QR_PAYLOAD_INVALID'
  /** Payload is longer than QR_PAYLOAD_BYTES_MAX or than a version-40 symbol holds at the chosen level. */
  | 'QR_PAYLOAD_TOO_LONG'
  /** An option (margin, scale, error-correction level, poster text) is out of its bounds. */
  | 'QR_OPTION_INVALID';

/** Thrown by the render functions (they only throw for the caller's mistakes, never for I/O). */
export class QrRenderError extends Error {
  readonly code: QrRenderErrorCode;
  readonly param: string | undefined;
  constructor(code: QrRenderErrorCode, message: string, param?: string) {
    super(message);
    this.name = 'QrRenderError';
    this.code = code;
    this.param = param;
  }
}
