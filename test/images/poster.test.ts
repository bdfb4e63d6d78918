import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  POSTER_NAME_CHARS_MAX,
  QrRenderError,
  renderPosterSvg,
  renderQrSvg,
  type PosterOptions,
} from '../../src/images/index.js';
import { decodeQrImageDetail } from '../../src/images/decode.js';
import { checkWellFormedXml, rasterizeQrPath, writeJpeg, writePng } from './helpers.js';
import { CJK_NAME_PAYLOAD, EMV_ANNEX_B_CJK, URL_PAYLOAD } from './payloads.js';

const BASE: PosterOptions = {
  payload: EMV_ANNEX_B_CJK,
  registeredName: '最佳运输 Best Transport',
  subtitle: '北京 · Beijing',
  verifiedMark: true,
};

function poster(overrides: Partial<PosterOptions> = {}): string {
  return renderPosterSvg({ ...BASE, ...overrides });
}

/** The text content of the elements with the given class, unescaped. */
function texts(svg: string, className: string): string[] {
  return [...svg.matchAll(new RegExp(`<text [^>]*class="${className}"[^>]*>([^<]*)</text>`, 'g'))].map((m) =>
    (m[1] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
  );
}

/** The QR group of a poster: its translation, scale (mm per module) and path data. */
function posterQr(svg: string): { x: number; y: number; scale: number; side: number; d: string } {
  const m = /<g class="qr" transform="translate\(([\d.]+) ([\d.]+)\) scale\(([\d.]+)\)"[^>]*><rect width="(\d+)" height="\d+" fill="#ffffff"\/><path fill="#000000" d="([^"]*)"\/><\/g>/.exec(svg);
  if (!m) throw new Error('poster has no QR group of the expected shape');
  return { x: Number(m[1]), y: Number(m[2]), scale: Number(m[3]), side: Number(m[4]), d: m[5] ?? '' };
}

function qrSvgPath(svg: string): string {
  return /<path fill="#000000" d="([^"]*)"\/>/.exec(svg)?.[1] ?? '';
}

describe('renderPosterSvg', () => {
  it('is a well-formed A6 SVG document', () => {
    const svg = poster();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="105mm" height="148mm" viewBox="0 0 105 148"/);
    const elements = checkWellFormedXml(svg.trim());
    expect(elements[0]).toBe('svg');
    expect(elements).toContain('text');
  });

  it('has no external reference: no links, images, scripts, stylesheets or web fonts', () => {
    for (const options of [{}, { verifiedMark: false }, { caption: 'Pay here', subtitle: undefined }]) {
      const withoutNamespace = poster(options).replace('xmlns="http://www.w3.org/2000/svg"', '');
      expect(withoutNamespace).not.toMatch(/https?:|\/\//i);
      expect(withoutNamespace).not.toMatch(/<image|<script|<style|<foreignObject|<a[\s>]|<use|href|url\(|@import|@font-face|xlink/i);
    }
    // A hostile name stays text: no element, no attribute comes out of it.
    const evil = poster({ registeredName: 'Evil <a href="http://x"><image href="http://y"/>' });
    expect(checkWellFormedXml(evil.trim()).filter((name) => name === 'a' || name === 'image')).toEqual([]);
    expect(evil).not.toMatch(/\shref="/);
    expect(texts(evil, 'registered-name').join(' ')).toBe('Evil <a href="http://x"><image href="http://y"/>');
  });

  it('prints the registered name, escaped', () => {
    const name = 'Tom & Jerry <script>alert("x")</script> 最佳运输';
    const svg = poster({ registeredName: name });
    expect(svg).not.toContain('<script');
    expect(svg).toContain('Tom &amp; Jerry &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const lines = texts(svg, 'registered-name');
    expect(lines.join(' ')).toBe(name); // broken only at a space
    expect(svg).toContain('<title>Tom &amp; Jerry &lt;script&gt;');
    checkWellFormedXml(svg.trim());
  });

  it('drops characters XML forbids and bidi overrides, and collapses whitespace', () => {
    const svg = poster({ registeredName: '  Good\u0000\u0007 \u202eShop\u202c\n\tLtd \ufffe ' });
    expect(texts(svg, 'registered-name')).toEqual(['Good Shop Ltd']);
    checkWellFormedXml(svg.trim());
  });

  it('breaks a long name over two lines and keeps it inside the page', () => {
    const name = '北京市朝阳区建国路八十八号老王家手工牛肉拉面馆（国贸旗舰店）有限责任公司';
    const lines = texts(poster({ registeredName: name }), 'registered-name');
    expect(lines).toHaveLength(2);
    expect(lines.join('')).toBe(name);
    const longest = 'W'.repeat(POSTER_NAME_CHARS_MAX);
    const svg = poster({ registeredName: longest });
    expect(texts(svg, 'registered-name').join('')).toBe(longest);
    // Too wide even at the smallest size: squeezed to the text box, never past the page.
    expect(svg).toMatch(/textLength="89" lengthAdjust="spacingAndGlyphs"[^>]*class="registered-name"/);
  });

  it('draws the "verified by saoma" mark only when asked', () => {
    const verified = poster();
    expect(verified).toContain('class="verified-mark"');
    expect(verified).toContain('>verified by saoma</text>');
    expect(verified).toMatch(/<path fill="#0b6e4f" d="M12 1L22 4.8V11/); // the shield
    const plain = poster({ verifiedMark: false });
    expect(plain).not.toContain('verified');
  });

  it('captions in Chinese and English by default; a custom caption replaces it, escaped', () => {
    const svg = poster();
    expect(svg).toContain('>扫码付款</text>');
    expect(svg).toContain('>Scan to pay</text>');
    const custom = poster({ caption: 'Pay <here> & now' });
    expect(custom).toContain('>Pay &lt;here&gt; &amp; now</text>');
    expect(custom).not.toContain('扫码付款');
  });

  it('embeds the same QR modules as renderQrSvg', () => {
    for (const payload of [EMV_ANNEX_B_CJK, CJK_NAME_PAYLOAD, URL_PAYLOAD]) {
      const qr = posterQr(poster({ payload }));
      expect(qr.d).toBe(qrSvgPath(renderQrSvg(payload)));
      // 68 mm wide, centred on the 105 mm page.
      expect(qr.side * qr.scale).toBeCloseTo(68, 1);
      expect(qr.x * 2 + 68).toBeCloseTo(105, 5);
    }
    expect(posterQr(poster({ errorCorrection: 'H' })).d).toBe(qrSvgPath(renderQrSvg(EMV_ANNEX_B_CJK, { errorCorrection: 'H' })));
  });

  it('its QR decodes back to the payload, rasterised as PNG and as JPEG', async () => {
    for (const payload of [EMV_ANNEX_B_CJK, CJK_NAME_PAYLOAD]) {
      const qr = posterQr(poster({ payload }));
      const image = rasterizeQrPath(qr.d, qr.side, 6);
      for (const bytes of [writePng(image), writeJpeg(image, 85)]) {
        const result = await decodeQrImageDetail(bytes);
        expect(result.ok && result.text).toBe(payload);
      }
    }
  });

  it('rejects missing or oversized text and bad options with QR_OPTION_INVALID', () => {
    const code = (overrides: Partial<PosterOptions>): string | undefined => {
      try {
        poster(overrides);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(QrRenderError);
        return (error as QrRenderError).code;
      }
    };
    expect(code({ registeredName: '' })).toBe('QR_OPTION_INVALID');
    expect(code({ registeredName: ' \n\t ' })).toBe('QR_OPTION_INVALID');
    expect(code({ registeredName: 'x'.repeat(POSTER_NAME_CHARS_MAX + 1) })).toBe('QR_OPTION_INVALID');
    expect(code({ registeredName: '付'.repeat(POSTER_NAME_CHARS_MAX) })).toBeUndefined();
    expect(code({ registeredName: 42 as unknown as string })).toBe('QR_OPTION_INVALID');
    expect(code({ subtitle: 'x'.repeat(101) })).toBe('QR_OPTION_INVALID');
    expect(code({ caption: 'x'.repeat(61) })).toBe('QR_OPTION_INVALID');
    expect(code({ verifiedMark: 'yes' as unknown as boolean })).toBe('QR_OPTION_INVALID');
    expect(code({ payload: '' })).toBe('QR_PAYLOAD_INVALID');
    expect(code({ payload: 'x'.repeat(3000) })).toBe('QR_PAYLOAD_TOO_LONG');
  });

  it('is deterministic', () => {
    expect(poster()).toBe(poster());
  });

  it('any name, subtitle and caption give a well-formed document that prints them as text', () => {
    const special = fc.constantFrom('<', '>', '&', '"', "'", ']]>', '<!--', '&amp;', '\u0000', '\u202e', '\ud800', ' ', '\n', '最', '😀', 'é');
    const text = fc.array(fc.oneof(special, fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 12 }).map((parts) => parts.join(''));
    const clean = (s: string): string =>
      s
        .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\u202a-\u202e\u2066-\u2069]|[\ud800-\udfff]/gu, '')
        .replace(/\s+/gu, ' ')
        .trim();
    fc.assert(
      fc.property(text, text, text, (name, subtitle, caption) => {
        let svg: string;
        try {
          svg = renderPosterSvg({ ...BASE, payload: URL_PAYLOAD, registeredName: name, subtitle, caption });
        } catch (error) {
          expect(error).toBeInstanceOf(QrRenderError);
          expect((error as QrRenderError).code).toBe('QR_OPTION_INVALID');
          expect(clean(name) === '' || Array.from(clean(name)).length > POSTER_NAME_CHARS_MAX || Array.from(clean(caption)).length > 60 || Array.from(clean(subtitle)).length > 100).toBe(true);
          return;
        }
        checkWellFormedXml(svg.trim());
        expect(texts(svg, 'registered-name').join(' ').replace(/\s+/gu, '')).toBe(clean(name).replace(/\s+/gu, ''));
      }),
      { numRuns: 300, seed: 4242 },
    );
  });
});
