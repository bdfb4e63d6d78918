import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/stores.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '../../dist/src/cli/index.js');
const vectors = JSON.parse(fs.readFileSync(path.join(here, '../fixtures/emv-mpm.json'), 'utf8')) as {
  mpm: Array<{ id: string; payload: string; invalid: boolean; expected: unknown; validator_findings: string[] }>;
};

function saoma(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('saoma qr', () => {
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    env = { ...process.env, ...database.env };
  });
  afterAll(async () => database?.drop());

  it('parse prints one JSON object: valid → exit 0 with fields, invalid → exit 1 with the error', async () => {
    const valid = vectors.mpm.find((v) => v.id === 'pix-bcb-static')!;
    const ok = await saoma(['qr', 'parse', valid.payload], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ ok: true, format: 'emv-mpm', scheme: 'pix', initiation: 'static', fields: valid.expected, warnings: [] });
    const lenientOnly = vectors.mpm.find((v) => v.id === 'promptpay-phone')!;
    const strict = await saoma(['qr', 'parse', lenientOnly.payload], env);
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout)).toMatchObject({ ok: false, error: { code: 'QR_MISSING_FIELD', field: '52' } });
    const lenient = await saoma(['qr', 'parse', '--lenient', lenientOnly.payload], env);
    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.stdout)).toMatchObject({ ok: true, scheme: 'promptpay', fields: lenientOnly.expected });
    const bad = await saoma(['qr', 'parse', vectors.mpm.find((v) => v.id === 'qrph-paymongo-dynamic')!.payload], env);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: { code: 'QR_CRC_MISMATCH', field: '63', offset: expect.any(Number), message: expect.any(String) } });
  });

  it('make signs with the platform key; verify says genuine, and counterfeit once altered or the key is revoked', async () => {
    const made = await saoma(['qr', 'make', '--merchant', 'm_stall', '--name', '老王面馆', '--city', 'Hangzhou', '--amount', '12.50', '--reference', 'ORD9'], env);
    expect(made.code, made.stderr).toBe(0);
    const payload = made.stdout.trim();
    const verified = await saoma(['qr', 'verify', payload], env);
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ kind: 'genuine', merchantId: 'm_stall', amountMinor: '1250', reference: 'ORD9', currency: 'CNY' });
    const altered = await saoma(['qr', 'verify', payload.replace('12.50', '92.50')], env);
    expect(altered.code).toBe(1);
    expect(JSON.parse(altered.stdout)).toMatchObject({ kind: 'counterfeit' });
    expect((await saoma(['qr', 'make', '--merchant', 'm', '--name', 'x', '--city', 'y', '--amount', '1.234'], env)).code).toBe(2);
    const keyId = (JSON.parse(verified.stdout) as { keyId: string }).keyId;
    expect((await saoma(['qr', 'keys', 'revoke', keyId], env)).code).toBe(0);
    const list = await saoma(['qr', 'keys', 'list'], env);
    expect(list.stdout).toMatch(new RegExp(`${keyId}\\s+revoked`));
    expect(list.stdout.match(/\sactive\s/g)).toHaveLength(1);
    expect(JSON.parse((await saoma(['qr', 'verify', payload], env)).stdout)).toMatchObject({ kind: 'counterfeit', reason: 'revoked_key' });
  });
});

describe('saoma qr make --png/--poster and decode-image', () => {
  it('writes images a camera would read, and reads them back with the verdict', async () => {
    const database = await createTestDatabase('sqlite');
    const env = { ...process.env, ...database.env };
    const dir = database.options.dataDir!;
    try {
      const made = await saoma(['qr', 'make', '--merchant', 'm_img', '--name', '面馆 Noodles', '--city', 'Hangzhou', '--png', `${dir}/code.png`, '--svg', `${dir}/code.svg`, '--poster', `${dir}/poster.svg`], env);
      expect(made.code, made.stderr).toBe(0);
      const payload = made.stdout.trim();
      expect(fs.readFileSync(`${dir}/code.svg`, 'utf8')).toMatch(/^<svg|^<\?xml/);
      expect(fs.readFileSync(`${dir}/poster.svg`, 'utf8')).toContain('面馆 Noodles');
      const read = await saoma(['qr', 'decode-image', `${dir}/code.png`], env);
      expect(read.code, read.stderr).toBe(0);
      expect(JSON.parse(read.stdout)).toMatchObject({ ok: true, text: payload, verdict: { kind: 'genuine', merchantId: 'm_img' } });
      fs.writeFileSync(`${dir}/not-an-image.png`, 'hello');
      const bad = await saoma(['qr', 'decode-image', `${dir}/not-an-image.png`], env);
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: { code: 'IMAGE_UNSUPPORTED' } });
      const missing = await saoma(['qr', 'decode-image', `${dir}/nope.png`], env);
      expect(missing.code).toBe(1);
      expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, error: { code: 'IMAGE_UNREADABLE' } });
    } finally {
      await database.drop();
    }
  });
});
