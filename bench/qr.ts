// `npm run bench -- qr`: decodes/s and full verifications/s of saoma's QR codec against pix-utils
// on the same Pix payloads and against bare Ed25519 verification of the same signed bytes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { verify as nodeVerify } from 'node:crypto';
import { buildMerchantCode, decodeEmv, scanVerdict, type QrPublicKey } from '../src/core/qr/index.js';
import { ed25519FromSeed, ed25519Signer, nodeEd25519Verifier, publicKeyObject } from '../src/service/qr-signing.js';
import { BenchOptions, emit, log, round } from './lib.js';

export const QR_USAGE = `npm run bench -- qr [--seconds S] [--rounds N]

Prints {"bench":"qr","op":"decode"|"verify","impl":"saoma"|"pix-utils"|"raw-ed25519","per_s":N} lines
and ratio lines (targets: saoma decode ≥ 5 × pix-utils; full verification ≥ 0.8 × bare Ed25519).
  --seconds  measured seconds per implementation and round (default 1)
  --rounds   rounds, interleaved; the median round counts (default 5)`;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Runs fn in a loop for `seconds`, returns calls per second. `fn` returns a value checked once per call. */
function rate(seconds: number, fn: (i: number) => unknown): number {
  const deadline = performance.now() + seconds * 1000;
  let calls = 0;
  let start = performance.now();
  for (let i = 0; i < 200; i++) fn(i); // warm
  start = performance.now();
  while (performance.now() < deadline) {
    for (let k = 0; k < 100; k++) fn(calls++);
  }
  return calls / ((performance.now() - start) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function qrBench(args: readonly string[]): Promise<number> {
  const options = new BenchOptions(args);
  const seconds = options.number('seconds', 1, { min: 0.1, max: 60 });
  const rounds = options.number('rounds', 5, { min: 1, max: 50, integer: true });
  options.assertAllUsed(['seconds', 'rounds']);

  const vectors = JSON.parse(fs.readFileSync(path.join(root, 'test/fixtures/emv-mpm.json'), 'utf8')) as { mpm: Array<{ id: string; payload: string; invalid: boolean; scheme: string; validator_findings: string[] }> };
  const pixPayloads = vectors.mpm.filter((v) => !v.invalid && v.scheme.startsWith('Pix') && v.validator_findings.length === 0).map((v) => v.payload);
  const { parsePix, hasError } = (await import('pix-utils')) as unknown as { parsePix: (s: string) => unknown; hasError: (x: unknown) => boolean };
  for (const p of pixPayloads) {
    const ours = decodeEmv(p);
    if (!ours.ok || ours.code.scheme !== 'pix') throw new Error(`saoma does not read ${p} as Pix`);
    if (hasError(parsePix(p))) throw new Error(`pix-utils does not read ${p}`);
  }

  const pair = ed25519FromSeed(new Uint8Array(32).fill(42));
  const keys: QrPublicKey[] = [{ keyId: 'k1', publicKey: pair.publicKey, status: 'active' }];
  const sign = ed25519Signer(pair.privateSeed);
  const now = Date.now();
  const saomaCodes = Array.from({ length: 16 }, (_, i) =>
    buildMerchantCode(
      { merchantId: `m_${i}`, tillId: `t${i}`, merchantName: `Stall ${i} 面馆`, city: 'Hangzhou', countryCode: 'CN', mcc: '5814', currency: 'CNY', ...(i % 2 ? { dynamic: { amountMinor: BigInt(100 + i), reference: `R${i}`, expiresAtMs: now + 3_600_000 } } : {}) },
      'k1',
      sign,
    ),
  );
  // The same bytes a full verification checks: the payload before template 90, and the signature.
  const keyObject = publicKeyObject(pair.publicKey);
  const raw = saomaCodes.map((code) => {
    const cut = code.indexOf('90870009org.saoma');
    const t90 = decodeEmv(code);
    if (!t90.ok) throw new Error('own code does not decode');
    const f90 = t90.code.fields['90'] as Record<string, string>;
    const f91 = t90.code.fields['91'] as Record<string, string>;
    const signature = Buffer.from(f90['02']! + f91['01']!, 'base64url');
    return { message: Buffer.from(code.slice(0, cut), 'utf8'), signature };
  });
  for (const r of raw) if (!nodeVerify(null, r.message, keyObject, r.signature)) throw new Error('raw verify failed');
  const ctx = { keys, verify: nodeEd25519Verifier, nowMs: now };
  for (const c of saomaCodes) if (scanVerdict(c, ctx).kind !== 'genuine') throw new Error('own code not genuine');

  const results: Record<string, number[]> = { 'decode/saoma': [], 'decode/pix-utils': [], 'verify/saoma': [], 'verify/raw-ed25519': [] };
  let sink = 0;
  for (let round_ = 0; round_ < rounds; round_++) {
    log(`qr: round ${round_ + 1}/${rounds}`);
    results['decode/saoma']!.push(rate(seconds, (i) => (sink += decodeEmv(pixPayloads[i % pixPayloads.length]!).ok ? 1 : 0)));
    results['decode/pix-utils']!.push(rate(seconds, (i) => (sink += hasError(parsePix(pixPayloads[i % pixPayloads.length]!)) ? 0 : 1)));
    results['verify/saoma']!.push(rate(seconds, (i) => (sink += scanVerdict(saomaCodes[i % saomaCodes.length]!, ctx).kind === 'genuine' ? 1 : 0)));
    results['verify/raw-ed25519']!.push(rate(seconds, (i) => {
      const r = raw[i % raw.length]!;
      return (sink += nodeVerify(null, r.message, keyObject, r.signature) ? 1 : 0);
    }));
  }
  if (sink === 0) throw new Error('nothing succeeded');
  const per = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
  for (const [key, value] of Object.entries(per)) {
    const [op, impl] = key.split('/');
    emit({ bench: 'qr', op, impl, per_s: Math.round(value), payloads: op === 'decode' ? pixPayloads.length : saomaCodes.length, rounds, seconds });
  }
  const decodeRatio = per['decode/saoma']! / per['decode/pix-utils']!;
  const verifyRatio = per['verify/saoma']! / per['verify/raw-ed25519']!;
  emit({ bench: 'qr', ratio: 'decode_saoma_vs_pix_utils', value: round(decodeRatio, 2), target: 5, met: decodeRatio >= 5 });
  emit({ bench: 'qr', ratio: 'verify_saoma_vs_raw_ed25519', value: round(verifyRatio, 3), target: 0.8, met: verifyRatio >= 0.8 });
  return 0;
}
