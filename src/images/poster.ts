// A printable A6 merchant poster (105 × 148 mm) as one self-contained SVG: the QR code, the
// merchant's registered name, a "verified by saoma" mark drawn in SVG, and a bilingual caption.
// No external reference of any kind: no links, images, stylesheets or web fonts. Text uses the
// printer's local fonts by family name (Chinese needs a CJK font such as Noto Sans CJK).
//
// The printed mark is not a security feature (anyone can print one); the wallet's verdict is.
// The footer therefore tells the payer to check the name the wallet shows.

import { QrRenderError } from './errors.js';
import {
  POSTER_CAPTION_CHARS_MAX,
  POSTER_NAME_CHARS_MAX,
  POSTER_SUBTITLE_CHARS_MAX,
  QR_MARGIN_MODULES_DEFAULT,
} from './limits.js';
import { encodeQrMatrix, type ErrorCorrectionLevel } from './matrix.js';
import { qrSvgBody } from './svg.js';
import { escapeXml, num, stripUnprintable } from './xml.js';

export interface PosterOptions {
  /** The QR payload, e.g. a signed saoma merchant code. */
  payload: string;
  /** The merchant's name as registered with saoma (never the name inside the code). */
  registeredName: string;
  /** A second line under the name, e.g. the branch or city. */
  subtitle?: string;
  /** Draw the "verified by saoma" mark; only for merchants saoma has verified. */
  verifiedMark: boolean;
  /** Replaces the default caption "扫码付款 / Scan to pay". */
  caption?: string;
  /** Default M, the same symbol renderQrSvg draws. */
  errorCorrection?: ErrorCorrectionLevel;
}

/** Page geometry, in millimetres (the SVG user unit). */
export const POSTER_WIDTH_MM = 105;
export const POSTER_HEIGHT_MM = 148;
const QR_SIDE_MM = 68;
const QR_LEFT_MM = (POSTER_WIDTH_MM - QR_SIDE_MM) / 2;
const QR_TOP_MM = 47;
const TEXT_WIDTH_MM = 89;

const BRAND = '#0b6e4f';
const INK = '#111111';
const GREY = '#555555';
const FONT_FAMILY =
  "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif";

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

function splitGraphemes(text: string): string[] {
  return Array.from(graphemes.segment(text), (s) => s.segment);
}

/** Width of a grapheme in ems, roughly, for a sans-serif face: enough to choose a font size. */
function graphemeEm(g: string): number {
  const cp = g.codePointAt(0) ?? 0;
  if (g === ' ') return 0.3;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    cp >= 0x1f000
  ) {
    return 1;
  }
  if (/[A-Z0-9MW@%&]/.test(g)) return 0.68;
  if (/[iljt.,:;'!|]/.test(g)) return 0.3;
  return 0.56;
}

function widthEm(parts: readonly string[]): number {
  return parts.reduce((sum, g) => sum + graphemeEm(g), 0);
}

function isWide(g: string): boolean {
  return graphemeEm(g) === 1;
}

/**
 * Where to break a line in two: at a space, or between two wide (CJK) characters, or after
 * wide punctuation; anywhere only if there is no such place. Among those, the break that makes
 * the wider line narrowest. Returns the index of the first grapheme of the second line.
 */
function bestBreak(parts: readonly string[]): number {
  const candidates: number[] = [];
  for (let i = 1; i < parts.length; i++) {
    const before = parts[i - 1] ?? '';
    const after = parts[i] ?? '';
    if (after === ' ' || before === ' ' || (isWide(before) && isWide(after)) || /[\u3001\u3002\uff09\uff0c\uff1b\u300d]/u.test(before)) {
      candidates.push(i);
    }
  }
  if (candidates.length === 0) for (let i = 1; i < parts.length; i++) candidates.push(i);
  let best = candidates[0] ?? 1;
  let bestWidth = Number.POSITIVE_INFINITY;
  for (const i of candidates) {
    const width = Math.max(widthEm(parts.slice(0, i)), widthEm(parts.slice(i)));
    if (width < bestWidth) {
      bestWidth = width;
      best = i;
    }
  }
  return best;
}

interface FittedText {
  readonly lines: readonly string[];
  readonly fontSize: number;
  /** Lines still wider than the box at the smallest size are squeezed to it with textLength. */
  readonly squeeze: readonly boolean[];
}

/**
 * Chooses a font size (and, if allowed, a break into two lines) so that the text fits the width:
 * one line at up to `maxSize`; else two lines, broken at the space nearest the middle (or between
 * any two characters for text without spaces, such as Chinese); never smaller than `minSize`.
 */
function fitText(text: string, widthMm: number, maxSize: number, minSize: number, maxLines: 1 | 2): FittedText {
  const parts = splitGraphemes(text);
  const oneLineSize = widthMm / Math.max(widthEm(parts), 1e-9);
  if (oneLineSize >= minSize || maxLines === 1 || parts.length < 2) {
    const fontSize = Math.max(minSize, Math.min(maxSize, oneLineSize));
    return { lines: [text], fontSize, squeeze: [widthEm(parts) * fontSize > widthMm] };
  }
  const bestIndex = bestBreak(parts);
  const first = parts.slice(0, bestIndex).join('').trim();
  const second = parts.slice(bestIndex).join('').trim();
  const lines = [first, second].filter((l) => l.length > 0);
  const widest = Math.max(...lines.map((l) => widthEm(splitGraphemes(l))));
  const fontSize = Math.max(minSize, Math.min(maxSize * 0.8, widthMm / Math.max(widest, 1e-9)));
  return {
    lines,
    fontSize,
    squeeze: lines.map((l) => widthEm(splitGraphemes(l)) * fontSize > widthMm),
  };
}

function textLine(
  text: string,
  y: number,
  fontSize: number,
  attrs: string,
  squeeze: boolean,
  widthMm: number = TEXT_WIDTH_MM,
): string {
  const fit = squeeze ? ` textLength="${num(widthMm)}" lengthAdjust="spacingAndGlyphs"` : '';
  return (
    `<text x="${num(POSTER_WIDTH_MM / 2)}" y="${num(y)}" font-size="${num(fontSize)}" ` +
    `text-anchor="middle"${fit} ${attrs}>${escapeXml(text)}</text>`
  );
}

/** Collapses whitespace runs and drops characters that must not be printed; checks the length. */
function cleanText(value: unknown, param: string, maxChars: number, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string') {
    throw new QrRenderError('QR_OPTION_INVALID', `${param} must be a string`, param);
  }
  const text = stripUnprintable(value).replace(/\s+/gu, ' ').trim();
  if (text.length === 0) {
    if (!required) return undefined;
    throw new QrRenderError('QR_OPTION_INVALID', `${param} must not be empty`, param);
  }
  const chars = Array.from(text).length;
  if (chars > maxChars) {
    throw new QrRenderError('QR_OPTION_INVALID', `${param} is ${chars} characters; at most ${maxChars}`, param);
  }
  return text;
}

/** A shield with a tick, in a 24 × 24 box. */
const SHIELD_ICON =
  `<path fill="${BRAND}" d="M12 1L22 4.8V11C22 17.4 17.8 21.8 12 23.5C6.2 21.8 2 17.4 2 11V4.8Z"/>` +
  `<path fill="none" stroke="#ffffff" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round" ` +
  `d="M7 12.2L10.6 15.8L17.2 8.6"/>`;

/** Renders the poster. Throws QrRenderError for a payload or text out of bounds. */
export function renderPosterSvg(options: PosterOptions): string {
  if (typeof options !== 'object' || options === null) {
    throw new QrRenderError('QR_OPTION_INVALID', 'poster options must be an object', 'options');
  }
  const name = cleanText(options.registeredName, 'registeredName', POSTER_NAME_CHARS_MAX, true) as string;
  const subtitle = cleanText(options.subtitle, 'subtitle', POSTER_SUBTITLE_CHARS_MAX, false);
  const caption = cleanText(options.caption, 'caption', POSTER_CAPTION_CHARS_MAX, false);
  if (typeof options.verifiedMark !== 'boolean') {
    throw new QrRenderError('QR_OPTION_INVALID', 'verifiedMark must be true or false', 'verifiedMark');
  }
  const matrix = encodeQrMatrix(options.payload, options.errorCorrection);
  const margin = QR_MARGIN_MODULES_DEFAULT;
  const qrModules = matrix.size + 2 * margin;
  const qrScale = QR_SIDE_MM / qrModules;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${POSTER_WIDTH_MM}mm" height="${POSTER_HEIGHT_MM}mm" ` +
      `viewBox="0 0 ${POSTER_WIDTH_MM} ${POSTER_HEIGHT_MM}" font-family="${FONT_FAMILY}">`,
    `<title>${escapeXml(name)} · saoma</title>`,
    `<rect width="${POSTER_WIDTH_MM}" height="${POSTER_HEIGHT_MM}" fill="#ffffff"/>`,
    `<rect x="2" y="2" width="101" height="144" rx="4" fill="none" stroke="${BRAND}" stroke-width="0.8"/>`,
    // Header band with the caption.
    `<rect x="2" y="2" width="101" height="22" rx="4" fill="${BRAND}"/>`,
    `<rect x="2" y="14" width="101" height="10" fill="${BRAND}"/>`,
  );
  const white = `fill="#ffffff" font-weight="700"`;
  if (caption === undefined) {
    out.push(textLine('扫码付款', 13.2, 8.5, white, false));
    out.push(textLine('Scan to pay', 20.6, 4.6, `fill="#ffffff"`, false));
  } else {
    const captionWidthMm = TEXT_WIDTH_MM - 8;
    const fit = fitText(caption, captionWidthMm, 7.5, 3.5, 1);
    out.push(textLine(caption, 15.5, fit.fontSize, white, fit.squeeze[0] ?? false, captionWidthMm));
  }

  // Registered name (one line, or two for long names), then the subtitle.
  const nameFit = fitText(name, TEXT_WIDTH_MM, 7, 4.2, 2);
  const nameAttrs = `fill="${INK}" font-weight="700" class="registered-name"`;
  if (nameFit.lines.length === 1) {
    out.push(textLine(nameFit.lines[0] ?? name, 35, nameFit.fontSize, nameAttrs, nameFit.squeeze[0] ?? false));
  } else {
    nameFit.lines.forEach((line, i) => {
      out.push(textLine(line, 31.2 + i * (nameFit.fontSize * 1.2), nameFit.fontSize, nameAttrs, nameFit.squeeze[i] ?? false));
    });
  }
  if (subtitle !== undefined) {
    const fit = fitText(subtitle, TEXT_WIDTH_MM, 3.8, 2.6, 1);
    out.push(textLine(subtitle, 43, fit.fontSize, `fill="${GREY}"`, fit.squeeze[0] ?? false));
  }

  // The QR code: the same symbol and path as renderQrSvg, scaled from modules to millimetres.
  out.push(
    `<g class="qr" transform="translate(${num(QR_LEFT_MM)} ${num(QR_TOP_MM)}) scale(${num(qrScale)})" ` +
      `shape-rendering="crispEdges">${qrSvgBody(matrix, margin)}</g>`,
  );

  if (options.verifiedMark) {
    out.push(
      `<g class="verified-mark">`,
      `<g transform="translate(25 118.5) scale(0.5)">${SHIELD_ICON}</g>`,
      `<text x="39.5" y="124.2" font-size="4.6" font-weight="700" fill="${BRAND}">verified by saoma</text>`,
      `<text x="39.5" y="129.6" font-size="3.4" fill="${BRAND}">saoma 认证商户</text>`,
      `</g>`,
    );
  }

  out.push(textLine('付款前请核对钱包显示的商户名称', 138.6, 3, `fill="${GREY}"`, false));
  out.push(textLine('Check the merchant name your wallet shows before paying', 142.6, 2.6, `fill="${GREY}"`, false));
  out.push(`</svg>\n`);
  return out.join('');
}
