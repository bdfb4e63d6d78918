import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildMerchantCode,
  decodeEmv,
  encodeEmv,
  scanVerdict,
  toEncodable,
  withRecomputedCrc,
  type QrPublicKey,
  type ScanContext,
} from '../../src/core/qr/index.js';
import { ed25519FromSeed, ed25519Signer, nodeEd25519Verifier } from '../../src/service/qr-signing.js';

const seed = (byte: number) => new Uint8Array(32).fill(byte);
const k1 = ed25519FromSeed(seed(1));
const k2 = ed25519FromSeed(seed(2));
const k3 = ed25519FromSeed(seed(3));
const keys: QrPublicKey[] = [
  { keyId: 'k1', publicKey: k1.publicKey, status: 'active' },
  { keyId: 'k2', publicKey: k2.publicKey, status: 'retired' },
  { keyId: 'k3', publicKey: k3.publicKey, status: 'revoked' },
];
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const used = new Set<string>();
const ctx: ScanContext = { keys, verify: nodeEd25519Verifier, nowMs: NOW, isUsed: (m, r) => used.has(`${m}/${r}`) };

const stall = { merchantId: 'm_noodles', tillId: 'till1', merchantName: '老王面馆 Wang Noodles', city: 'Hangzhou', countryCode: 'CN', mcc: '5814', currency: 'CNY' };
const staticCode = buildMerchantCode(stall, 'k1', ed25519Signer(k1.privateSeed));
const dynamicCode = buildMerchantCode({ ...stall, dynamic: { amountMinor: 1250n, reference: 'ORD123', expiresAtMs: NOW + 120_000 } }, 'k1', ed25519Signer(k1.privateSeed));
const otherCode = buildMerchantCode({ ...stall, merchantId: 'm_fraudster', tillId: undefined, merchantName: 'Fraud Shop' }, 'k1', ed25519Signer(k1.privateSeed));

describe('signed merchant codes', () => {
  it('are valid EMV codes that any strict decoder reads', () => {
    for (const code of [staticCode, dynamicCode]) {
      const decoded = decodeEmv(code);
      if (!decoded.ok) throw new Error(JSON.stringify(decoded.error));
      expect(decoded.code.scheme).toBe('saoma');
      expect(encodeEmv(toEncodable(decoded.code.objects))).toBe(code);
      expect(Array.from(code).length).toBeLessThanOrEqual(512);
    }
  });

  it('verify as genuine, with what the platform wrote', () => {
    expect(scanVerdict(staticCode, ctx)).toMatchObject({ kind: 'genuine', merchantId: 'm_noodles', tillId: 'till1', initiation: 'static', currency: 'CNY', amountMinor: undefined });
    expect(scanVerdict(dynamicCode, ctx)).toMatchObject({ kind: 'genuine', initiation: 'dynamic', amountMinor: 1250n, reference: 'ORD123', expiresAtMs: NOW + 120_000 });
  });

  it('a retired key still verifies printed codes; a revoked or unknown key makes them counterfeit', () => {
    expect(scanVerdict(buildMerchantCode(stall, 'k2', ed25519Signer(k2.privateSeed)), ctx)).toMatchObject({ kind: 'genuine' });
    expect(scanVerdict(buildMerchantCode(stall, 'k3', ed25519Signer(k3.privateSeed)), ctx)).toMatchObject({ kind: 'counterfeit', reason: 'revoked_key' });
    expect(scanVerdict(buildMerchantCode(stall, 'k9', ed25519Signer(seed(9))), ctx)).toMatchObject({ kind: 'counterfeit', reason: 'unknown_key' });
    // A key id that exists, with somebody else's private key.
    expect(scanVerdict(buildMerchantCode(stall, 'k1', ed25519Signer(seed(7))), ctx)).toMatchObject({ kind: 'counterfeit', reason: 'signature' });
  });

  it('changing any single character makes the code counterfeit, with or without a recomputed CRC', () => {
    for (const code of [staticCode, dynamicCode]) {
      const chars = Array.from(code);
      for (let i = 0; i < chars.length; i++) {
        const replacement = chars[i] === 'A' ? 'B' : 'A';
        const altered = [...chars.slice(0, i), replacement, ...chars.slice(i + 1)].join('');
        const plain = scanVerdict(altered, ctx);
        expect(plain.kind, `position ${i}`).toBe('counterfeit');
        if (i < chars.length - 4) {
          const recomputed = scanVerdict(withRecomputedCrc(altered), ctx);
          expect(recomputed.kind, `position ${i}, CRC recomputed`).toBe('counterfeit');
          if (recomputed.kind === 'counterfeit' && i < chars.length - 8) expect(recomputed.reason, `position ${i}`).not.toBe('crc');
        }
      }
    }
  });

  it('a merchant template swapped into another signed code is counterfeit', () => {
    const mine = decodeEmv(staticCode);
    const theirs = decodeEmv(otherCode);
    if (!mine.ok || !theirs.ok) throw new Error('decode');
    const swapped = toEncodable(theirs.code.objects).map((o) => (o.id === '26' ? toEncodable(mine.code.objects).find((x) => x.id === '26')! : o));
    expect(scanVerdict(encodeEmv(swapped), ctx)).toMatchObject({ kind: 'counterfeit', reason: 'signature' });
    // And the other way: the fraudster's signature templates pasted onto the stall's fields.
    const pasted = toEncodable(mine.code.objects).map((o) => (o.id === '90' || o.id === '91' ? toEncodable(theirs.code.objects).find((x) => x.id === o.id)! : o));
    expect(scanVerdict(encodeEmv(pasted), ctx)).toMatchObject({ kind: 'counterfeit', reason: 'signature' });
  });

  it('fields added after the signature, or signature templates moved, are counterfeit', () => {
    const decoded = decodeEmv(staticCode);
    if (!decoded.ok) throw new Error('decode');
    const objects = toEncodable(decoded.code.objects);
    expect(scanVerdict(encodeEmv([...objects, { id: '54', value: '1.00' }]), ctx)).toMatchObject({ kind: 'counterfeit', reason: 'structure' });
    const dropped = objects.filter((o) => o.id !== '91');
    expect(scanVerdict(encodeEmv(dropped), ctx)).toMatchObject({ kind: 'counterfeit' });
    // Adding an amount to a static code (a fraudster's "pay exactly 500") breaks the signature.
    const withAmount = [...objects.slice(0, 5), { id: '54', value: '500.00' }, ...objects.slice(5)];
    expect(scanVerdict(encodeEmv(withAmount), ctx)).toMatchObject({ kind: 'counterfeit', reason: 'signature' });
  });

  it('an honest dynamic code past its expiry is expired, once paid is used: no fraud alarm', () => {
    expect(scanVerdict(dynamicCode, { ...ctx, nowMs: NOW + 120_000 })).toMatchObject({ kind: 'expired', merchantId: 'm_noodles', reference: 'ORD123' });
    used.add('m_noodles/ORD123');
    expect(scanVerdict(dynamicCode, ctx)).toMatchObject({ kind: 'used', merchantId: 'm_noodles', reference: 'ORD123' });
    used.clear();
  });

  it('the documented layout and test vector verify (docs/qr-codes.md)', () => {
    const doc = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../docs/qr-codes.md'), 'utf8');
    const vector = /<!-- vector -->\s*```\s*([^`]+?)\s*```/.exec(doc)?.[1];
    const publicKeyHex = /public key \(hex\): `([0-9a-f]{64})`/.exec(doc)?.[1];
    expect(vector).toBeDefined();
    expect(publicKeyHex).toBe(Buffer.from(k1.publicKey).toString('hex'));
    expect(vector).toBe(dynamicCode);
    expect(scanVerdict(vector!, ctx)).toMatchObject({ kind: 'genuine' });
  });
});

describe('scan verdicts of other codes', () => {
  const vectors = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/emv-mpm.json'), 'utf8')) as { mpm: Array<{ id: string; payload: string; invalid: boolean }> };
  const pix = vectors.mpm.find((v) => v.id === 'pix-bcb-static')!.payload;

  it('foreign EMV codes are foreign (unverified), damaged ones are not payable', () => {
    expect(scanVerdict(pix, ctx)).toMatchObject({ kind: 'foreign', scheme: 'pix' });
    const damaged = vectors.mpm.find((v) => v.id === 'qrph-paymongo-dynamic')!.payload;
    expect(scanVerdict(damaged, ctx)).toMatchObject({ kind: 'text', note: expect.stringContaining('QR_CRC_MISMATCH') });
    expect(scanVerdict('upi://pay?pa=shop@upi&pn=Corner%20Shop&cu=INR', ctx)).toMatchObject({ kind: 'foreign', scheme: 'upi', nameInCode: 'Corner Shop' });
  });

  it('URLs show their domain and warnings, never a payment', () => {
    expect(scanVerdict('https://www.alipay.com/pay', ctx)).toMatchObject({ kind: 'url', domain: 'www.alipay.com', warnings: [] });
    expect(scanVerdict('http://a1ipay.com/login', ctx)).toMatchObject({ kind: 'url', domain: 'a1ipay.com', warnings: ['plain_http', 'lookalike'], imitates: 'alipay.com' });
    expect(scanVerdict('https://alipay.com.secure-pay.top/x', ctx)).toMatchObject({ kind: 'url', warnings: ['lookalike'] });
    expect(scanVerdict('https://xn--lipay-rdd.com', ctx)).toMatchObject({ kind: 'url', warnings: expect.arrayContaining(['punycode']) });
    expect(scanVerdict('http://192.168.1.10:8080/pay', ctx)).toMatchObject({ kind: 'url', warnings: ['plain_http', 'raw_ip', 'unusual_port'] });
    expect(scanVerdict('https://t.cn/A6abc', ctx)).toMatchObject({ kind: 'url', warnings: ['shortener'] });
    expect(scanVerdict('https://paypal.com@evil.example/', ctx)).toMatchObject({ kind: 'url', domain: 'evil.example', warnings: expect.arrayContaining(['userinfo']) });
  });

  it('anything else is text', () => {
    expect(scanVerdict('hello 你好', ctx)).toEqual({ kind: 'text', text: 'hello 你好' });
  });
});

describe('review findings', () => {
  it('a code claiming saoma in capitals is counterfeit, not foreign', () => {
    const forged = encodeEmv([
      { id: '00', value: '01' },
      { id: '01', value: '11' },
      { id: '26', children: [{ id: '00', value: 'ORG.SAOMA' }, { id: '01', value: 'm1' }] },
      { id: '52', value: '5814' },
      { id: '53', value: '156' },
      { id: '58', value: 'CN' },
      { id: '59', value: 'Noodle' },
      { id: '60', value: 'Hangzhou' },
    ]);
    expect(scanVerdict(forged, ctx)).toMatchObject({ kind: 'counterfeit' });
  });

  it('the platform refuses to sign an amount that field 54 cannot hold', () => {
    expect(() => buildMerchantCode({ ...stall, dynamic: { amountMinor: 10n ** 14n, reference: 'R1', expiresAtMs: NOW + 1000 } }, 'k1', ed25519Signer(k1.privateSeed))).toThrow(RangeError);
    expect(scanVerdict(buildMerchantCode({ ...stall, dynamic: { amountMinor: 10n ** 12n - 1n, reference: 'R1', expiresAtMs: NOW + 1000 } }, 'k1', ed25519Signer(k1.privateSeed)), ctx)).toMatchObject({ kind: 'genuine' });
  });
});
