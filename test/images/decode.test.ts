import fc from 'fast-check';
import jpeg from 'jpeg-js';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import {
  decodeQrImage,
  IMAGE_INPUT_BYTES_MAX,
  IMAGE_SIDE_PX_MAX,
  renderQrPng,
  type QrImageDecodeResult,
} from '../../src/images/index.js';
import { renderQrRgba } from '../../src/images/png.js';
import { decodeQrImageDetail } from '../../src/images/decode.js';
import {
  blank,
  craftPng,
  mapPixels,
  noise,
  paste,
  PNG_SIGNATURE,
  pngChunk,
  rng,
  rotate,
  scale,
  writeJpeg,
  writePng,
} from './helpers.js';
import { ASCII_512, CJK_NAME_PAYLOAD, EMV_ANNEX_B_CJK, EMV_ASCII, MIXED_512, URL_PAYLOAD } from './payloads.js';

const timings: { what: string; bytes: number; px: string; ms: number }[] = [];

async function decodeTimed(what: string, bytes: Uint8Array, px: string): Promise<QrImageDecodeResult> {
  const started = performance.now();
  const result = await decodeQrImage(bytes);
  timings.push({ what, bytes: bytes.length, px, ms: Math.round((performance.now() - started) * 10) / 10 });
  return result;
}

async function expectText(what: string, bytes: Uint8Array, px: string, payload: string): Promise<void> {
  const result = await decodeTimed(what, bytes, px);
  expect(result, what).toEqual({ ok: true, text: payload });
}

async function expectFailure(bytes: Uint8Array, code: string): Promise<string> {
  const result = await decodeQrImage(bytes);
  expect(result.ok).toBe(false);
  if (result.ok) return '';
  expect(result.code).toBe(code);
  expect(result.message.length).toBeGreaterThan(0);
  return result.message;
}

const ROUND_TRIP: Readonly<Record<string, string>> = {
  ...EMV_ASCII,
  'emv-annex-b-cjk': EMV_ANNEX_B_CJK,
  'cjk-merchant-name': CJK_NAME_PAYLOAD,
  url: URL_PAYLOAD,
  'ascii-512': ASCII_512,
  'mixed-512': MIXED_512,
  'chinese-only': '最佳运输',
  emoji: 'pay 😀 ¥12.50',
};

describe('round trips render → decode', () => {
  it('the 512-character payloads are 512 characters', () => {
    expect(Array.from(ASCII_512)).toHaveLength(512);
    expect(Array.from(MIXED_512)).toHaveLength(512);
  });

  for (const [name, payload] of Object.entries(ROUND_TRIP)) {
    it(`PNG: ${name}`, async () => {
      const png = renderQrPng(payload, { scale: 4 });
      const px = `${png.readUInt32BE(16)}²`;
      await expectText(`png ${name}`, png, px, payload);
    });

    it(`JPEG quality 85: ${name}`, async () => {
      const image = renderQrRgba(payload, { scale: 4 });
      await expectText(`jpeg ${name}`, writeJpeg(image, 85), `${image.width}²`, payload);
    });
  }

  it('every error-correction level', async () => {
    for (const level of ['L', 'M', 'Q', 'H'] as const) {
      await expectText(`png level ${level}`, renderQrPng(EMV_ANNEX_B_CJK, { errorCorrection: level }), '-', EMV_ANNEX_B_CJK);
    }
  });
});

describe('clean renders at every scale (the stock zxing-js reader misses some)', () => {
  it('HELLO WORLD at 8 px per module and a QRIS code at 4 px per module', async () => {
    await expectText('png HELLO WORLD ×8', renderQrPng('HELLO WORLD', { scale: 8 }), '-', 'HELLO WORLD');
    const qris = EMV_ASCII['qris-telkomsel-gojek'] ?? '';
    await expectText('png qris ×4', renderQrPng(qris, { scale: 4 }), '-', qris);
  });

  it('40 random payloads × 8 scales × 4 levels', async () => {
    const next = rng(11);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-/:最佳运输北京付款é';
    const failures: string[] = [];
    for (let n = 0; n < 40; n++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 300) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      const level = (['L', 'M', 'Q', 'H'] as const)[n % 4];
      for (const scale of [1, 2, 3, 4, 5, 6, 8, 10]) {
        const result = await decodeQrImage(renderQrPng(text, { scale, errorCorrection: level }));
        if (!(result.ok && result.text === text)) failures.push(`#${n} ${level} ×${scale}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('codes from other generators', () => {
  it('UTF-8 without an ECI designator (what most generators write) reads as UTF-8', async () => {
    for (const text of ['最佳运输 café', CJK_NAME_PAYLOAD]) {
      const png = await QRCode.toBuffer(text, { type: 'png', margin: 4, scale: 4 });
      const result = await decodeQrImageDetail(png);
      if (!result.ok) throw new Error(result.message);
      expect(result.text).toBe(text);
      expect(result.eci).toBeUndefined();
    }
  });

  it('ISO-8859-1 bytes without an ECI designator (legacy) are not mangled', async () => {
    const png = await QRCode.toBuffer([{ data: Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x4d, 0xfc, 0x6e]), mode: 'byte' }], {
      type: 'png',
      scale: 4,
    });
    expect(await decodeQrImage(png)).toEqual({ ok: true, text: 'café Mün' });
  });

  it('mixed numeric and alphanumeric segments (an optimising generator)', async () => {
    const text = 'HTTPS://EXAMPLE.COM/PAY/000201010211';
    const png = await QRCode.toBuffer(text, { type: 'png', scale: 4 });
    expect(await decodeQrImage(png)).toEqual({ ok: true, text });
  });
});

describe('photographed-looking images', () => {
  const payload = EMV_ANNEX_B_CJK;
  const base = renderQrRgba(payload, { scale: 6 });

  it('rotated by 90°, 30° and 45°', async () => {
    for (const degrees of [90, 30, 45]) {
      const image = rotate(base, degrees);
      await expectText(`png rotated ${degrees}°`, writePng(image), `${image.width}²`, payload);
    }
  });

  it('rotated by every 15°, as JPEG', async () => {
    const failures: number[] = [];
    for (let degrees = 0; degrees < 360; degrees += 15) {
      const result = await decodeQrImage(writeJpeg(rotate(renderQrRgba(payload, { scale: 4 }), degrees), 85));
      if (!(result.ok && result.text === payload)) failures.push(degrees);
    }
    expect(failures).toEqual([]);
  });

  it('mirrored', async () => {
    const mirrored = { ...base, data: new Uint8Array(base.data.length) };
    for (let y = 0; y < base.height; y++) {
      for (let x = 0; x < base.width; x++) {
        mirrored.data.set(base.data.subarray((y * base.width + x) * 4, (y * base.width + x) * 4 + 4), (y * base.width + (base.width - 1 - x)) * 4);
      }
    }
    await expectText('png mirrored', writePng(mirrored), `${base.width}²`, payload);
  });

  it('scaled by a non-integer factor, up and down, then saved as JPEG', async () => {
    for (const factor of [0.55, 1.37]) {
      const image = scale(base, factor);
      await expectText(`jpeg scaled ×${factor}`, writeJpeg(image, 80), `${image.width}²`, payload);
    }
  });

  it('small inside a large noisy photo, tinted and low contrast', async () => {
    const tinted = mapPixels(scale(base, 0.8), ([r]) => (r > 128 ? [230, 215, 190, 255] : [70, 60, 50, 255]));
    const photo = paste(noise(1600, 1200, 7), blank(tinted.width + 40, tinted.height + 40, 230), 500, 300);
    paste(photo, tinted, 520, 320);
    await expectText('jpeg in 1600×1200 noise', writeJpeg(photo, 85), '1600×1200', payload);
  });

  it('light modules on a dark background (inverted)', async () => {
    const inverted = mapPixels(base, ([r, g, b, a]) => [255 - r, 255 - g, 255 - b, a]);
    await expectText('png inverted', writePng(inverted), `${inverted.width}²`, payload);
  });

  it('dark modules on a transparent background', async () => {
    const transparent = mapPixels(base, ([r]) => (r > 128 ? [0, 0, 0, 0] : [0, 0, 0, 255]));
    await expectText('png transparent', writePng(transparent), `${transparent.width}²`, payload);
  });

  it('a large image near the size limit', async () => {
    const image = paste(blank(3000, 3000), scale(base, 3), 200, 300);
    await expectText('png 3000×3000', writePng(image), '3000²', payload);
  });
});

describe('bad input never throws', () => {
  it('garbage and other formats → IMAGE_UNSUPPORTED', async () => {
    await expectFailure(new Uint8Array(0), 'IMAGE_UNSUPPORTED');
    await expectFailure(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 'IMAGE_UNSUPPORTED');
    await expectFailure(new TextEncoder().encode('not an image at all'), 'IMAGE_UNSUPPORTED');
    expect(await expectFailure(new TextEncoder().encode('GIF89a\x01\x00\x01\x00'), 'IMAGE_UNSUPPORTED')).toMatch(/GIF/);
    expect(await expectFailure(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'IMAGE_UNSUPPORTED')).toMatch(/SVG/);
    await expectFailure('a string' as unknown as Uint8Array, 'IMAGE_UNSUPPORTED');
    await expectFailure(null as unknown as Uint8Array, 'IMAGE_UNSUPPORTED');
  });

  it('PNG and JPEG signatures with broken bodies → IMAGE_CORRUPT', async () => {
    const png = renderQrPng(URL_PAYLOAD);
    await expectFailure(PNG_SIGNATURE, 'IMAGE_CORRUPT');
    await expectFailure(Buffer.concat([PNG_SIGNATURE, Buffer.from('garbage garbage garbage garbage')]), 'IMAGE_CORRUPT');
    await expectFailure(png.subarray(0, Math.floor(png.length / 2)), 'IMAGE_CORRUPT');
    const flipped = Buffer.from(png);
    flipped[png.length - 20] = (flipped[png.length - 20] ?? 0) ^ 0xff; // inside the last IDAT: CRC fails
    await expectFailure(flipped, 'IMAGE_CORRUPT');
    await expectFailure(new Uint8Array([0xff, 0xd8, 0xff]), 'IMAGE_CORRUPT');
    await expectFailure(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), 'IMAGE_CORRUPT');
    await expectFailure(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('garbage garbage garbage')]), 'IMAGE_CORRUPT');
  });

  it('an image without a QR code → QR_NOT_FOUND', async () => {
    await expectFailure(writePng(blank(400, 300)), 'QR_NOT_FOUND');
    await expectFailure(writePng(noise(500, 500, 1)), 'QR_NOT_FOUND');
    await expectFailure(writeJpeg(noise(640, 480, 2), 85), 'QR_NOT_FOUND');
    const started = performance.now();
    const big = writeJpeg(noise(2048, 2048, 3), 85);
    await expectFailure(big, 'QR_NOT_FOUND');
    timings.push({ what: 'jpeg noise, no QR', bytes: big.length, px: '2048²', ms: Math.round(performance.now() - started) });
  });

  it('half a QR code → QR_NOT_FOUND', async () => {
    const image = renderQrRgba(EMV_ANNEX_B_CJK, { scale: 4 });
    const half = paste(blank(image.width, image.height), { ...image, height: Math.floor(image.height / 2) }, 0, 0);
    await expectFailure(writePng(half), 'QR_NOT_FOUND');
  });
});

describe('size limits', () => {
  it(`refuses files over ${IMAGE_INPUT_BYTES_MAX} bytes before reading them`, async () => {
    const big = new Uint8Array(IMAGE_INPUT_BYTES_MAX + 1);
    big.set(PNG_SIGNATURE);
    await expectFailure(big, 'IMAGE_TOO_LARGE');
  });

  it('refuses PNGs whose header declares too many pixels, without decoding them', async () => {
    const ihdr = (w: number, h: number): Buffer => {
      const data = Buffer.alloc(13);
      data.writeUInt32BE(w, 0);
      data.writeUInt32BE(h, 4);
      data[8] = 8;
      data[9] = 6;
      return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', data)]);
    };
    await expectFailure(ihdr(50_000, 50_000), 'IMAGE_TOO_LARGE');
    await expectFailure(ihdr(IMAGE_SIDE_PX_MAX + 1, 1), 'IMAGE_TOO_LARGE');
    await expectFailure(ihdr(1, IMAGE_SIDE_PX_MAX + 1), 'IMAGE_TOO_LARGE');
    await expectFailure(ihdr(0, 10), 'IMAGE_CORRUPT');
  });

  it('refuses JPEGs whose frame header declares too many pixels', async () => {
    const small = writeJpeg(blank(16, 16), 85);
    const sof = small.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(0);
    const big = Buffer.from(small);
    big.writeUInt16BE(5000, sof + 5); // height
    big.writeUInt16BE(5000, sof + 7); // width
    await expectFailure(big, 'IMAGE_TOO_LARGE');
  });

  it('refuses an interlaced PNG whose data inflates past its declared size (deflate bomb)', async () => {
    const bomb = craftPng(64, 64, { interlace: true, inflated: new Uint8Array(8 * 1024 * 1024) });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(await expectFailure(bomb, 'IMAGE_CORRUPT')).toMatch(/inflates to more/);
  });

  it('decodes an honest interlaced PNG', async () => {
    const image = renderQrRgba(URL_PAYLOAD, { scale: 4 });
    // Filter type 0 on every row of every Adam7 pass: the guard must let an honestly sized
    // interlaced stream through to pngjs.
    const passes: [number, number, number, number][] = [
      [0, 0, 8, 8],
      [4, 0, 8, 8],
      [0, 4, 4, 8],
      [2, 0, 4, 4],
      [0, 2, 2, 4],
      [1, 0, 2, 2],
      [0, 1, 1, 2],
    ];
    const rows: number[] = [];
    for (const [x0, y0, dx, dy] of passes) {
      for (let y = y0; y < image.height; y += dy) {
        const row: number[] = [0];
        for (let x = x0; x < image.width; x += dx) row.push(image.data[(y * image.width + x) * 4] ?? 0);
        if (row.length > 1) rows.push(...row);
      }
    }
    await expectText('png interlaced', craftPng(image.width, image.height, { interlace: true, inflated: new Uint8Array(rows) }), `${image.width}²`, URL_PAYLOAD);
  });
});

describe('fuzz: mutated images', () => {
  it('never throws and always answers with a typed result', async () => {
    const png = renderQrPng(CJK_NAME_PAYLOAD, { scale: 2 });
    const jpg = writeJpeg(renderQrRgba(CJK_NAME_PAYLOAD, { scale: 2 }), 85);
    const codes = new Set(['IMAGE_UNSUPPORTED', 'IMAGE_CORRUPT', 'IMAGE_TOO_LARGE', 'QR_NOT_FOUND']);
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (usePng, edits, cut) => {
          const bytes = Buffer.from(usePng ? png : jpg);
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          const input = cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length);
          const result = await decodeQrImage(input);
          if (result.ok) expect(typeof result.text).toBe('string');
          else expect(codes.has(result.code)).toBe(true);
        },
      ),
      { numRuns: 150, seed: 20240612 },
    );
  });

  it('jpeg-js itself throws on some of these: the wrapper turns that into a result', () => {
    expect(() => jpeg.decode(Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 2]), { useTArray: true })).toThrow();
  });
});

describe('timings', () => {
  it('prints decode time per image', () => {
    expect(timings.length).toBeGreaterThan(0);
    console.log(JSON.stringify(timings, null, 1));
    for (const t of timings) expect(t.ms, t.what).toBeLessThan(15_000);
  });
});
