import { describe, expect, it } from 'vitest';
import {
  QR_PAYLOAD_BYTES_MAX,
  QrRenderError,
  renderQrPng,
  renderQrSvg,
  type QrRenderErrorCode,
} from '../../src/images/index.js';
import { decodeQrImageDetail } from '../../src/images/decode.js';
import { encodeQrMatrix } from '../../src/images/matrix.js';
import { checkWellFormedXml, rasterizeQrPath, readPng, writePng } from './helpers.js';
import { CJK_NAME_PAYLOAD, EMV_ANNEX_B_CJK, EMV_ASCII, URL_PAYLOAD } from './payloads.js';

function renderError(f: () => unknown): QrRenderErrorCode | undefined {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(QrRenderError);
    return (error as QrRenderError).code;
  }
  return undefined;
}

function svgParts(svg: string): { side: number; width: number; d: string } {
  const viewBox = /viewBox="0 0 (\d+) (\d+)"/.exec(svg);
  const width = /width="(\d+)"/.exec(svg);
  const d = /<path fill="#000000" d="([^"]*)"\/>/.exec(svg);
  if (!viewBox || !width || !d) throw new Error('unexpected SVG shape');
  expect(viewBox[1]).toBe(viewBox[2]);
  return { side: Number(viewBox[1]), width: Number(width[1]), d: d[1] ?? '' };
}

describe('renderQrSvg', () => {
  it('is a standalone, well-formed SVG with no reference but its namespace', () => {
    const svg = renderQrSvg(EMV_ANNEX_B_CJK);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(checkWellFormedXml(svg.trim())).toEqual(['svg', 'rect', 'path']);
    expect(svg.replace('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:|href|url\(|<image|<script/i);
  });

  it('draws a quiet zone of 4 modules by default and honours marginModules and scale', () => {
    const matrix = encodeQrMatrix(URL_PAYLOAD);
    expect(svgParts(renderQrSvg(URL_PAYLOAD)).side).toBe(matrix.size + 8);
    expect(svgParts(renderQrSvg(URL_PAYLOAD)).width).toBe((matrix.size + 8) * 8);
    const tight = svgParts(renderQrSvg(URL_PAYLOAD, { marginModules: 0, scale: 3 }));
    expect(tight.side).toBe(matrix.size);
    expect(tight.width).toBe(matrix.size * 3);
    expect(tight.d.startsWith('M0 0h7v1h-7z')).toBe(true); // the top-left finder pattern
    expect(svgParts(renderQrSvg(URL_PAYLOAD)).d.startsWith('M4 4h7v1h-7z')).toBe(true);
  });

  it('uses error correction M by default; H makes a larger symbol than L', () => {
    const m = encodeQrMatrix(EMV_ASCII['sgqr-toastbox'] ?? '');
    expect(m.errorCorrection).toBe('M');
    const l = encodeQrMatrix(EMV_ASCII['sgqr-toastbox'] ?? '', 'L');
    const h = encodeQrMatrix(EMV_ASCII['sgqr-toastbox'] ?? '', 'H');
    expect(l.version).toBeLessThan(m.version);
    expect(m.version).toBeLessThan(h.version);
  });

  it('draws exactly the modules of the PNG', () => {
    for (const payload of [URL_PAYLOAD, CJK_NAME_PAYLOAD, EMV_ASCII['pix-bcb-static'] ?? '']) {
      const { side, d } = svgParts(renderQrSvg(payload));
      const fromSvg = rasterizeQrPath(d, side, 3);
      const fromPng = readPng(renderQrPng(payload, { scale: 3 }));
      expect(fromSvg.width).toBe(fromPng.width);
      expect(Buffer.from(fromSvg.data).equals(Buffer.from(fromPng.data))).toBe(true);
    }
  });

  it('SVG modules decode back to the payload, CJK included', async () => {
    for (const payload of [CJK_NAME_PAYLOAD, EMV_ANNEX_B_CJK]) {
      const { side, d } = svgParts(renderQrSvg(payload));
      const result = await decodeQrImageDetail(writePng(rasterizeQrPath(d, side, 4)));
      expect(result.ok && result.text).toBe(payload);
    }
  });

  it('is deterministic', () => {
    expect(renderQrSvg(EMV_ANNEX_B_CJK)).toBe(renderQrSvg(EMV_ANNEX_B_CJK));
    expect(renderQrPng(EMV_ANNEX_B_CJK).equals(renderQrPng(EMV_ANNEX_B_CJK))).toBe(true);
  });
});

describe('renderQrPng', () => {
  it('is a greyscale PNG of (modules + 2 × margin) × scale pixels, black on white', () => {
    const matrix = encodeQrMatrix(URL_PAYLOAD);
    const png = renderQrPng(URL_PAYLOAD, { scale: 5 });
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png[25]).toBe(0); // IHDR colour type: greyscale
    const image = readPng(png);
    expect(image.width).toBe((matrix.size + 8) * 5);
    expect(image.height).toBe(image.width);
    const values = new Set<number>();
    for (let i = 0; i < image.data.length; i += 4) values.add(image.data[i] ?? -1);
    expect([...values].sort((a, b) => a - b)).toEqual([0, 255]);
  });
});

describe('byte mode and ECI 000026', () => {
  it('encodes ASCII in one byte-mode segment without ECI, even when it is all digits', async () => {
    for (const payload of ['0123456789012345', 'HELLO WORLD', URL_PAYLOAD]) {
      const result = await decodeQrImageDetail(renderQrPng(payload));
      if (!result.ok) throw new Error(result.message);
      expect(result.text).toBe(payload);
      expect(result.eci).toBeUndefined();
      expect((result.dataCodewords[0] ?? 0) >> 4).toBe(0b0100); // byte mode
    }
  });

  it('puts ECI 000026 before the UTF-8 bytes when a character is not printable ASCII', async () => {
    for (const payload of [CJK_NAME_PAYLOAD, EMV_ANNEX_B_CJK, 'São Paulo', 'tab\there']) {
      const matrix = encodeQrMatrix(payload);
      expect(matrix.eci).toBe(true);
      expect(matrix.payloadBytes).toBe(Buffer.byteLength(payload, 'utf8'));
      const result = await decodeQrImageDetail(renderQrPng(payload));
      if (!result.ok) throw new Error(result.message);
      expect(result.text).toBe(payload);
      expect(result.eci).toBe(26);
      // 0111 (ECI) 00011010 (26) 0100 (byte mode): the first two codewords are 0x71 0xA4.
      expect([...result.dataCodewords.subarray(0, 2)]).toEqual([0x71, 0xa4]);
      // Then the 8- or 16-bit count of UTF-8 bytes.
      const bits = [...result.dataCodewords.subarray(1, 5)].map((b) => b.toString(2).padStart(8, '0')).join('');
      const countBits = matrix.version < 10 ? 8 : 16;
      expect(parseInt(bits.slice(8, 8 + countBits), 2)).toBe(matrix.payloadBytes);
    }
  });
});

describe('render errors', () => {
  it('rejects empty, non-string and unpaired-surrogate payloads', () => {
    expect(renderError(() => renderQrSvg(''))).toBe('QR_PAYLOAD_INVALID');
    expect(renderError(() => renderQrSvg(42 as unknown as string))).toBe('QR_PAYLOAD_INVALID');
    expect(renderError(() => renderQrPng('abc\ud800def'))).toBe('QR_PAYLOAD_INVALID');
    expect(renderError(() => renderQrPng('ok 😀'))).toBeUndefined();
  });

  it('rejects payloads over the byte limit or over the capacity of the level', () => {
    expect(renderError(() => renderQrSvg('x'.repeat(QR_PAYLOAD_BYTES_MAX + 1)))).toBe('QR_PAYLOAD_TOO_LONG');
    expect(renderError(() => renderQrSvg('付'.repeat(700)))).toBe('QR_PAYLOAD_TOO_LONG'); // 2,100 bytes
    expect(renderError(() => renderQrSvg('x'.repeat(QR_PAYLOAD_BYTES_MAX)))).toBeUndefined();
    expect(renderError(() => renderQrSvg('x'.repeat(1500), { errorCorrection: 'H' }))).toBe('QR_PAYLOAD_TOO_LONG');
  });

  it('rejects options out of bounds', () => {
    expect(renderError(() => renderQrSvg('a', { marginModules: -1 }))).toBe('QR_OPTION_INVALID');
    expect(renderError(() => renderQrSvg('a', { marginModules: 1.5 }))).toBe('QR_OPTION_INVALID');
    expect(renderError(() => renderQrSvg('a', { marginModules: 17 }))).toBe('QR_OPTION_INVALID');
    expect(renderError(() => renderQrSvg('a', { errorCorrection: 'X' as 'L' }))).toBe('QR_OPTION_INVALID');
    expect(renderError(() => renderQrPng('a', { scale: 0 }))).toBe('QR_OPTION_INVALID');
    expect(renderError(() => renderQrPng('a', { scale: 33 }))).toBe('QR_OPTION_INVALID');
    // A version-40 symbol (177 modules + 8) at 32 px is 5,920 px: over the 4,096 px side limit.
    expect(renderError(() => renderQrPng('x'.repeat(2000), { scale: 32 }))).toBe('QR_OPTION_INVALID');
  });
});
