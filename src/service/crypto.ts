import { createHash, createPublicKey, randomBytes, randomInt, scrypt, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import { PIN_SCRYPT_N } from '../core/limits.js';

/** An id with a type prefix and 128 random bits: `pay_3yH…`. Unguessable, so ids leak nothing. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

/** A bearer secret (session token, API key): the prefix says what it is, 256 random bits. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Secrets are stored as their SHA-256: high-entropy tokens need no slow hash, and a leaked table reveals none. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function nonce(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export function randomDeviceIndex(max: number): number {
  return randomInt(1, max + 1);
}

/**
 * Verifies an ECDSA P-256 / SHA-256 signature (IEEE P1363 r||s, as WebCrypto produces) by a
 * device key given as SPKI DER in base64url. Never throws for bad input: false.
 */
export function verifyDeviceSignature(publicKeySpki: string, message: string, signatureB64u: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKeySpki, 'base64url'), format: 'der', type: 'spki' });
    const signature = Buffer.from(signatureB64u, 'base64url');
    if (signature.length !== 64) return false;
    return verifySignature('sha256', Buffer.from(message, 'utf8'), { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

/** Whether text is a P-256 public key in SPKI DER, base64url. */
export function isP256PublicKey(spki: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(spki, 'base64url'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    return false;
  }
}

function scryptAsync(pin: string, salt: Buffer, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(pin, salt, 32, { N: n, r: 8, p: 1, maxmem: 128 * n * 8 * 2 }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** `scrypt$N$salt$hash`: a 6-digit PIN has a tiny space, so the attempt limit is what protects it; the slow hash protects a stolen table. */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(pin, salt, PIN_SCRYPT_N);
  return `scrypt$${PIN_SCRYPT_N}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function pinMatches(pin: string, stored: string): Promise<boolean> {
  const [scheme, n, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !salt || !hash) return false;
  const key = await scryptAsync(pin, Buffer.from(salt, 'base64url'), Number(n));
  const expected = Buffer.from(hash, 'base64url');
  return key.length === expected.length && timingSafeEqual(key, expected);
}
