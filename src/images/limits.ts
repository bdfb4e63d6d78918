// Limits of QR image rendering and decoding, named with their units.
// They move to src/core/limits.ts once that file is free to edit; until then import them from here.

/** Largest image file decodeQrImage accepts: 10 MiB. */
export const IMAGE_INPUT_BYTES_MAX = 10 * 1024 * 1024;
/** Largest width or height of an image to decode, read from its header before any pixel is decoded. */
export const IMAGE_SIDE_PX_MAX = 4096;
/** Largest pixel count of an image to decode (4096 × 4096 = 16 Mpx, 64 MiB as RGBA). */
export const IMAGE_PIXELS_MAX = IMAGE_SIDE_PX_MAX * IMAGE_SIDE_PX_MAX;
/** Memory the JPEG decoder may allocate for one image. */
export const IMAGE_JPEG_DECODE_MEMORY_MIB_MAX = 256;

/**
 * Longest payload to render, in UTF-8 bytes. EMV merchant payloads "should not exceed 512
 * characters" (at most 2,048 bytes even if every one were a 4-byte character); URLs stay below
 * 2,048 bytes. Fits a version-40 symbol at levels L and M (2,953 and 2,331 bytes), not Q or H.
 */
export const QR_PAYLOAD_BYTES_MAX = 2048;
/** Quiet zone around the symbol: ISO/IEC 18004 asks for 4 modules. */
export const QR_MARGIN_MODULES_DEFAULT = 4;
export const QR_MARGIN_MODULES_MAX = 16;
/** Pixels per module of rendered PNGs (and of the width/height given to standalone SVGs). */
export const QR_SCALE_PX_DEFAULT = 8;
export const QR_SCALE_PX_MAX = 32;

/** Longest registered name, subtitle and caption a poster prints, in characters (code points). */
export const POSTER_NAME_CHARS_MAX = 100;
export const POSTER_SUBTITLE_CHARS_MAX = 100;
export const POSTER_CAPTION_CHARS_MAX = 60;
