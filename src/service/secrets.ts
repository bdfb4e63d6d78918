import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12;
const AUTH_TAG_BYTES = 16;

/**
 * The master key that seals secrets at rest: from SAOMA_MASTER_KEY (base64url, 32 bytes) or from
 * `<dataDir>/master.key`, created (mode 0600) on first use. Losing it loses the sealed secrets.
 */
export function loadMasterKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env.SAOMA_MASTER_KEY;
  if (fromEnv) {
    const key = Buffer.from(fromEnv, 'base64url');
    if (key.length !== MASTER_KEY_BYTES) throw new Error('SAOMA_MASTER_KEY must be 32 bytes in base64url');
    return key;
  }
  const file = path.join(dataDir, 'master.key');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Written whole to a private temporary file, then linked into place: a second process
    // starting at the same moment sees either no key or the complete key, never a partial one.
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(temporary, randomBytes(MASTER_KEY_BYTES).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      fs.unlinkSync(temporary);
    }
  }
  const mode = fs.statSync(file).mode;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new Error(`${file} is readable by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
  if (key.length !== MASTER_KEY_BYTES) throw new Error(`${file} does not hold a 32-byte key`);
  return key;
}

/** AES-256-GCM; `context` is bound as associated data, so a sealed value cannot be moved to another row. */
export function seal(masterKey: Buffer, plaintext: Uint8Array, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export function unseal(masterKey: Buffer, sealed: string, context: string): Uint8Array {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed value');
  const authTag = Buffer.from(tag, 'base64url');
  // A full 128-bit tag only: a truncated one would make forgeries feasible.
  if (authTag.length !== AUTH_TAG_BYTES) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(iv, 'base64url'), { authTagLength: AUTH_TAG_BYTES });
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(authTag);
  return new Uint8Array(Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]));
}
