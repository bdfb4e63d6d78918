import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '../../src/service/passkeys.js';

/**
 * A software WebAuthn authenticator for Node tests: what a browser plus a platform authenticator
 * would answer to `navigator.credentials.create/get`, built byte by byte from the spec (WebAuthn
 * L3 §6.1 authenticator data, §6.5.4 attestation "none", RFC 9052 COSE keys) so that the real
 * @simplewebauthn/server verifies it. ES256 (P-256) only, like most platform authenticators.
 */

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;
const COSE_ALG_ES256 = -7;

interface Credential {
  readonly id: Buffer;
  readonly rpId: string;
  readonly userHandle: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  signCount: number;
}

export interface CreateOptions {
  /** Whether the user verified (biometric or device PIN); default true. */
  readonly userVerified?: boolean;
}

export interface GetOptions {
  readonly userVerified?: boolean;
  /** Whether the user was present (touched or confirmed); default true. */
  readonly userPresent?: boolean;
  /** Report this counter instead of advancing the stored one: what a clone with an old copy would send. */
  readonly signCount?: number;
}

export class SoftAuthenticator {
  private readonly credentials: Credential[] = [];

  /** The answer to `navigator.credentials.create({ publicKey: options })` on `origin`. */
  create(options: PublicKeyCredentialCreationOptionsJSON, origin: string, opts: CreateOptions = {}): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(origin).hostname;
    if (!options.pubKeyCredParams.some((p) => p.type === 'public-key' && p.alg === COSE_ALG_ES256)) {
      throw new Error('NotSupportedError: the relying party does not accept ES256');
    }
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (this.credentials.some((c) => c.rpId === rpId && excluded.has(c.id.toString('base64url')))) {
      throw new Error('InvalidStateError: this authenticator already holds an excluded credential');
    }

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential: Credential = { id: randomBytes(32), rpId, userHandle: options.user.id, privateKey, publicKey, signCount: 0 };
    this.credentials.push(credential);

    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = cbor(
      new Map<number, CborValue>([
        [1, 2], // kty: EC2
        [3, COSE_ALG_ES256], // alg
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const credentialIdLength = Buffer.alloc(2);
    credentialIdLength.writeUInt16BE(credential.id.length);
    const authData = Buffer.concat([
      authenticatorDataHead(rpId, FLAG_UP | (opts.userVerified === false ? 0 : FLAG_UV) | FLAG_AT, credential.signCount),
      Buffer.alloc(16), // AAGUID: all zero, as with attestation "none"
      credentialIdLength,
      credential.id,
      coseKey,
    ]);
    const attestationObject = cbor(
      new Map<string, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    const id = credential.id.toString('base64url');
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: clientData('webauthn.create', options.challenge, origin),
        attestationObject: attestationObject.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        transports: ['internal'],
        publicKeyAlgorithm: COSE_ALG_ES256,
        publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64url'),
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: { credProps: { rk: true } },
    };
  }

  /** The answer to `navigator.credentials.get({ publicKey: options })` on `origin`. */
  get(options: PublicKeyCredentialRequestOptionsJSON, origin: string, opts: GetOptions = {}): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(origin).hostname;
    const allowed = new Set((options.allowCredentials ?? []).map((c) => c.id));
    const credential = this.credentials.find((c) => c.rpId === rpId && (allowed.size === 0 || allowed.has(c.id.toString('base64url'))));
    if (!credential) throw new Error('NotAllowedError: no credential for this relying party');

    let signCount: number;
    if (opts.signCount === undefined) {
      credential.signCount += 1;
      signCount = credential.signCount;
    } else {
      signCount = opts.signCount;
    }
    const flags = (opts.userPresent === false ? 0 : FLAG_UP) | (opts.userVerified === false ? 0 : FLAG_UV);
    const authData = authenticatorDataHead(rpId, flags, signCount);
    const clientDataJSON = clientData('webauthn.get', options.challenge, origin);
    const signature = createSign('sha256')
      .update(Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, 'base64url'))]))
      .sign({ key: credential.privateKey, dsaEncoding: 'der' });
    const id = credential.id.toString('base64url');
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: credential.userHandle,
      },
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
    };
  }
}

function authenticatorDataHead(rpId: string, flags: number, signCount: number): Buffer {
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE(signCount);
  return Buffer.concat([sha256(Buffer.from(rpId, 'utf8')), Buffer.from([flags]), counter]);
}

/** CollectedClientData as a browser serialises it (§5.8.1.1: type, challenge, origin, crossOrigin in that order). */
function clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string): string {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8').toString('base64url');
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

// --- a tiny CBOR encoder (RFC 8949): just the types authenticators emit here ---------------------

export type CborValue = number | string | Uint8Array | ReadonlyMap<number | string, CborValue>;

/**
 * Maps keep the order they are given: callers list keys in CTAP2 canonical order (shorter encoding
 * first, then bytewise), which is what real authenticators send.
 */
export function cbor(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error('cbor: only safe integers');
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  const parts: Buffer[] = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

function head(major: number, n: number): Buffer {
  const m = major << 5;
  if (n < 24) return Buffer.from([m | n]);
  if (n < 0x100) return Buffer.from([m | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = m | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  if (n < 0x1_0000_0000) {
    const b = Buffer.alloc(5);
    b[0] = m | 26;
    b.writeUInt32BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = m | 27;
  b.writeBigUInt64BE(BigInt(n), 1);
  return b;
}
