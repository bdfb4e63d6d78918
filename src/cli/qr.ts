import type { Command } from 'commander';
import { decodeEmv, buildMerchantCode, scanVerdict } from '../core/qr/index.js';
import { parseMajorAmount } from '../core/money/index.js';
import { nodeEd25519Verifier } from '../service/qr-signing.js';
import { appendAudit } from '../service/audit.js';
import fs from 'node:fs';
import { decodeQrImage, renderPosterSvg, renderQrPng, renderQrSvg } from '../images/index.js';
import { IMAGE_INPUT_BYTES_MAX } from '../images/limits.js';
import { withPlatform } from './context.js';

const json = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

/** The result of `saoma qr parse`, as the issue specifies it. */
export function parseOutput(payload: string, lenient: boolean): { exitCode: number; output: unknown } {
  const r = decodeEmv(payload, { lenient });
  if (!r.ok) {
    const { code, message, field, offset } = r.error;
    return { exitCode: 1, output: { ok: false, error: { code, message, ...(field !== undefined ? { field } : {}), ...(offset !== undefined ? { offset } : {}) } } };
  }
  return {
    exitCode: 0,
    output: { ok: true, format: r.code.format, scheme: r.code.scheme, initiation: r.code.initiation, fields: r.code.fields, warnings: r.code.warnings },
  };
}

export function registerQrCommands(program: Command): void {
  const qr = program.command('qr').description('QR codes: parse, make, verify, decode images, signing keys');

  qr.command('parse')
    .description('decode an EMV merchant-presented payload; prints one JSON object, exits 0 when valid, 1 when not')
    .argument('<payload>')
    .option('--lenient', 'accept the known real-world deviations as warnings')
    .action((payload: string, opts: { lenient?: boolean }) => {
      const { exitCode, output } = parseOutput(payload, opts.lenient === true);
      process.stdout.write(json(output) + '\n');
      process.exitCode = exitCode;
    });

  qr.command('verify')
    .description("the wallet's verdict on a scanned text against this platform's keys; exits 0 when genuine, 1 otherwise")
    .argument('<text>')
    .action(async (text: string) => {
      await withPlatform(async (platform) => {
        const verdict = scanVerdict(text, { keys: await platform.qrKeys.list(), verify: nodeEd25519Verifier, nowMs: Date.now() });
        process.stdout.write(json(verdict) + '\n');
        process.exitCode = verdict.kind === 'genuine' ? 0 : 1;
      });
    });

  qr.command('make')
    .description("make a merchant code signed with the platform's active key; prints the payload")
    .requiredOption('--merchant <id>', 'merchant id')
    .requiredOption('--name <name>', 'registered merchant name')
    .requiredOption('--city <city>', 'city')
    .option('--till <id>', 'till id')
    .option('--mcc <code>', 'merchant category code', '5999')
    .option('--currency <code>', 'ISO 4217 currency', 'CNY')
    .option('--country <code>', 'ISO 3166-1 alpha-2 country', 'CN')
    .option('--amount <major>', 'dynamic code: amount in major units, e.g. 12.50')
    .option('--reference <ref>', 'dynamic code: order reference (letters and digits)')
    .option('--expires-in <seconds>', 'dynamic code: lifetime in seconds', '600')
    .option('--svg <file>', 'also write the QR code as SVG')
    .option('--png <file>', 'also write the QR code as PNG')
    .option('--poster <file>', 'also write a printable poster (SVG) with the registered name and the verified mark')
    .action(async (opts: Record<string, string | undefined>) => {
      await withPlatform(async (platform) => {
        let dynamic: { amountMinor: bigint; reference: string; expiresAtMs: number } | undefined;
        if (opts.amount !== undefined || opts.reference !== undefined) {
          const amountMinor = opts.amount === undefined ? undefined : parseMajorAmount(opts.amount, opts.currency!);
          if (amountMinor === undefined || amountMinor <= 0n || !opts.reference) {
            process.stderr.write('a dynamic code needs --amount (e.g. 12.50, exact in the currency) and --reference\n');
            process.exitCode = 2;
            return;
          }
          dynamic = { amountMinor, reference: opts.reference, expiresAtMs: Date.now() + Number(opts.expiresIn) * 1000 };
        }
        const signer = await platform.qrKeys.activeSigner(Date.now());
        try {
          const payload = buildMerchantCode(
            { merchantId: opts.merchant!, tillId: opts.till, merchantName: opts.name!, city: opts.city!, countryCode: opts.country!, mcc: opts.mcc!, currency: opts.currency!, dynamic },
            signer.keyId,
            signer.sign,
          );
          if (opts.svg) fs.writeFileSync(opts.svg, renderQrSvg(payload));
          if (opts.png) fs.writeFileSync(opts.png, renderQrPng(payload));
          if (opts.poster) fs.writeFileSync(opts.poster, renderPosterSvg({ payload, registeredName: opts.name!, subtitle: opts.city, verifiedMark: true }));
          process.stdout.write(payload + '\n');
        } catch (error) {
          process.stderr.write(`cannot make the code: ${(error as Error).message}\n`);
          process.exitCode = 2;
        }
      });
    });

  qr.command('decode-image')
    .description('read a QR code from a PNG or JPEG file; prints {"ok":true,"text":...,"verdict":...} and exits 0, or the error and exits 1')
    .argument('<file>')
    .action(async (file: string) => {
      let bytes: Buffer;
      try {
        const size = fs.statSync(file).size;
        if (size > IMAGE_INPUT_BYTES_MAX) throw new Error(`the file has ${size} bytes; at most ${IMAGE_INPUT_BYTES_MAX} are read`);
        bytes = fs.readFileSync(file);
      } catch (error) {
        process.stdout.write(json({ ok: false, error: { code: 'IMAGE_UNREADABLE', message: (error as Error).message } }) + '\n');
        process.exitCode = 1;
        return;
      }
      const decoded = await decodeQrImage(new Uint8Array(bytes));
      if (!decoded.ok) {
        process.stdout.write(json({ ok: false, error: { code: decoded.code, message: decoded.message } }) + '\n');
        process.exitCode = 1;
        return;
      }
      await withPlatform(async (platform) => {
        const verdict = scanVerdict(decoded.text, { keys: await platform.qrKeys.list(), verify: nodeEd25519Verifier, nowMs: Date.now() });
        process.stdout.write(json({ ok: true, text: decoded.text, verdict }) + '\n');
      });
    });

  const keys = qr.command('keys').description('QR signing keys');
  keys.command('list').description('key ids and statuses').action(async () => {
    await withPlatform(async (platform) => {
      for (const k of await platform.qrKeys.list()) process.stdout.write(`${k.keyId}  ${k.status.padEnd(8)}  ${new Date(k.createdAtMs).toISOString()}\n`);
    });
  });
  keys.command('rotate').description('make a new active key; the old one is retired').action(async () => {
    await withPlatform(async (platform) => {
      const keyId = await platform.qrKeys.rotate(Date.now());
      await appendAudit(platform.store.db, { actor: 'cli', action: 'qr.keys.rotate', objectId: keyId }, Date.now());
      process.stdout.write(`active key: ${keyId}\n`);
    });
  });
  keys.command('revoke').description('revoke a key: its codes become counterfeit').argument('<keyId>').action(async (keyId: string) => {
    await withPlatform(async (platform) => {
      await platform.qrKeys.revoke(keyId, Date.now());
      await appendAudit(platform.store.db, { actor: 'cli', action: 'qr.keys.revoke', objectId: keyId }, Date.now());
      process.stdout.write(`revoked ${keyId}\n`);
    });
  });
}
