import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMasterKey, seal, unseal } from '../../src/service/secrets.js';

describe('secrets at rest', () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'saoma-secrets-'));

  it('creates a private master key once and reads the same key after', () => {
    const d = dir();
    const first = loadMasterKey(d, {});
    expect(first).toHaveLength(32);
    expect(fs.statSync(path.join(d, 'master.key')).mode & 0o777).toBe(0o600);
    expect(loadMasterKey(d, {}).equals(first)).toBe(true);
    expect(fs.readdirSync(d)).toEqual(['master.key']);
  });

  it('refuses a master key file that other users can read', () => {
    const d = dir();
    loadMasterKey(d, {});
    fs.chmodSync(path.join(d, 'master.key'), 0o644);
    expect(() => loadMasterKey(d, {})).toThrow(/chmod 600/);
  });

  it('seals with authentication bound to the context, and refuses truncated tags', () => {
    const key = loadMasterKey(dir(), {});
    const sealed = seal(key, new TextEncoder().encode('seed'), 'row:1');
    expect(new TextDecoder().decode(unseal(key, sealed, 'row:1'))).toBe('seed');
    expect(() => unseal(key, sealed, 'row:2')).toThrow();
    const [v, iv, tag, body] = sealed.split('.');
    const truncated = [v, iv, Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url'), body].join('.');
    expect(() => unseal(key, truncated, 'row:1')).toThrow();
  });

  it('takes the key from SAOMA_MASTER_KEY when set, and checks its size', () => {
    const key = Buffer.alloc(32, 7).toString('base64url');
    expect(loadMasterKey(dir(), { SAOMA_MASTER_KEY: key }).equals(Buffer.alloc(32, 7))).toBe(true);
    expect(() => loadMasterKey(dir(), { SAOMA_MASTER_KEY: 'short' })).toThrow(/32 bytes/);
  });
});
