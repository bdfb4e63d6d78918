import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import type { QrPublicKey, SignatureVerifier, Signer } from '../core/qr/index.js';

// DER prefixes that wrap a raw 32-byte Ed25519 key as SPKI (public) or PKCS#8 (private).
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface Ed25519KeyPair {
  /** Raw 32-byte public key. */
  readonly publicKey: Uint8Array;
  /** Raw 32-byte private seed: a secret, to be stored encrypted. */
  readonly privateSeed: Uint8Array;
}

export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length)),
    privateSeed: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length)),
  };
}

/** The key pair of a 32-byte seed (deterministic: for test vectors). */
export function ed25519FromSeed(seed: Uint8Array): Ed25519KeyPair {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  return { publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length)), privateSeed: seed };
}

export function ed25519Signer(privateSeed: Uint8Array): Signer {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, privateSeed]), format: 'der', type: 'pkcs8' });
  return (message) => new Uint8Array(nodeSign(null, message, key));
}

export function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

const parsed = new WeakMap<QrPublicKey, KeyObject>();

/** node:crypto Ed25519 verification; each key record is parsed once. */
export const nodeEd25519Verifier: SignatureVerifier = (key, message, signature) => {
  let object = parsed.get(key);
  if (!object) {
    if (key.publicKey.length !== 32) return false;
    object = publicKeyObject(key.publicKey);
    parsed.set(key, object);
  }
  return nodeVerify(null, message, object, signature);
};
