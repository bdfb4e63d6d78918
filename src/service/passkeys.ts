import { createHash, timingSafeEqual } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { COSEALG, decodeAttestationObject, decodeCredentialPublicKey, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import { SaomaError, assert } from '../core/errors.js';
import {
  PASSKEY_CEREMONY_TIMEOUT_MS,
  PASSKEY_CHALLENGE_BYTES_MAX,
  PASSKEY_CHALLENGE_BYTES_MIN,
  PASSKEY_CREDENTIAL_ID_BYTES_MAX,
  PASSKEY_LISTED_CREDENTIALS_MAX,
  PASSKEY_USER_ID_BYTES_MAX,
} from '../core/limits.js';

/**
 * Passkeys (WebAuthn) for binding a device and confirming payments (decision 0010). Pure functions
 * over @simplewebauthn/server: the caller stores challenges and credentials, and decides what a
 * verified assertion is worth (userVerified is the inherence factor of decision 0008).
 */

export type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON };

/** Which check refused a response: the `param` of PASSKEY_INVALID (docs/errors.md). */
export type PasskeyRefusal =
  | 'response'
  | 'type'
  | 'challenge'
  | 'origin'
  | 'rpId'
  | 'userPresence'
  | 'credential'
  | 'algorithm'
  | 'signature';

/** ES256 first: every platform authenticator has it, and the SDK's device keys are P-256 too. */
const ALGORITHMS: readonly number[] = [COSEALG.ES256, COSEALG.EdDSA, COSEALG.RS256];

export interface PasskeyRegistrationOptionsInput {
  readonly rpId: string;
  readonly rpName: string;
  /** The opaque consumer id: it becomes the user handle, so never a phone number or e-mail. */
  readonly userId: string;
  /** What the authenticator shows when the user picks among their passkeys. */
  readonly userName: string;
  readonly challenge: Uint8Array;
  /** The consumer's bound passkeys: the authenticator refuses to make a second one for this site. */
  readonly excludeCredentialIds?: readonly string[];
}

export async function passkeyRegistrationOptions(input: PasskeyRegistrationOptionsInput): Promise<PublicKeyCredentialCreationOptionsJSON> {
  assertChallenge(input.challenge);
  const userId = new TextEncoder().encode(input.userId);
  assert(userId.length > 0 && userId.length <= PASSKEY_USER_ID_BYTES_MAX, `passkey user id is 1 to ${PASSKEY_USER_ID_BYTES_MAX} bytes`);
  const exclude = input.excludeCredentialIds ?? [];
  assertCredentialIds(exclude);
  return generateRegistrationOptions({
    rpID: input.rpId,
    rpName: input.rpName,
    userID: userId,
    userName: input.userName,
    userDisplayName: input.userName,
    challenge: input.challenge.slice(),
    timeout: PASSKEY_CEREMONY_TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: exclude.map((id) => ({ id })),
    // A fresh object each call: the library writes into the one it is given.
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    supportedAlgorithmIDs: [...ALGORITHMS],
  });
}

export interface VerifiedPasskeyRegistration {
  /** base64url, as the browser reports it. */
  readonly credentialId: string;
  /** base64url of the COSE public key. */
  readonly publicKey: string;
  readonly signCount: number;
  readonly userVerified: boolean;
}

export async function verifyPasskeyRegistration(input: {
  readonly response: RegistrationResponseJSON;
  readonly expectedChallenge: Uint8Array;
  readonly origin: string;
  readonly rpId: string;
}): Promise<VerifiedPasskeyRegistration> {
  const { response } = input;
  const attestationObject = checkEnvelope(response, ['clientDataJSON', 'attestationObject']);
  checkClientData(attestationObject.clientDataJSON, 'webauthn.create', input.expectedChallenge, input.origin);

  const authData = guard('response', () => {
    const decoded = decodeAttestationObject(base64urlBytes(attestationObject.attestationObject));
    return parseAuthenticatorData(decoded.get('authData'));
  });
  checkRpIdHash(authData.rpIdHash, input.rpId);
  if (!authData.flags.up) refuse('userPresence', 'the authenticator did not test user presence');
  if (!authData.credentialID || !authData.credentialPublicKey) refuse('response', 'the authenticator data has no attested credential');
  if (authData.credentialID.length > PASSKEY_CREDENTIAL_ID_BYTES_MAX) refuse('credential', 'the credential id is longer than 1,023 bytes');
  // The library keeps the id from the authenticator data and ignores the one beside it; a
  // response naming another credential than it attests is refused rather than trusted.
  if (Buffer.from(authData.credentialID).toString('base64url') !== response.id) {
    refuse('credential', 'the response id is not the attested credential id');
  }
  const alg = guard('response', () => decodeCredentialPublicKey(authData.credentialPublicKey!).get(3));
  if (typeof alg !== 'number' || !ALGORITHMS.includes(alg)) refuse('algorithm', `COSE algorithm ${String(alg)} is not one of ${ALGORITHMS.join(', ')}`);

  const result = await guardAsync('response', () =>
    verifyRegistrationResponse({
      response,
      expectedChallenge: base64url(input.expectedChallenge),
      expectedOrigin: input.origin,
      expectedRPID: input.rpId,
      requireUserPresence: true,
      // Preferred, not required: a passkey without user verification still binds the device; the
      // payment level drops to C (decision 0008) instead of the user being locked out.
      requireUserVerification: false,
      supportedAlgorithmIDs: [...ALGORITHMS],
    }),
  );
  if (!result.verified) refuse('signature', 'the attestation statement does not verify');
  const info = result.registrationInfo;
  return {
    credentialId: info.credential.id,
    publicKey: base64url(info.credential.publicKey),
    signCount: info.credential.counter,
    userVerified: info.userVerified,
  };
}

export async function passkeyAssertionOptions(input: {
  readonly rpId: string;
  readonly challenge: Uint8Array;
  readonly allowCredentialIds: readonly string[];
}): Promise<PublicKeyCredentialRequestOptionsJSON> {
  assertChallenge(input.challenge);
  assertCredentialIds(input.allowCredentialIds);
  return generateAuthenticationOptions({
    rpID: input.rpId,
    challenge: input.challenge.slice(),
    timeout: PASSKEY_CEREMONY_TIMEOUT_MS,
    userVerification: 'preferred',
    allowCredentials: input.allowCredentialIds.map((id) => ({ id })),
  });
}

export interface StoredPasskey {
  /** base64url credential id. */
  readonly id: string;
  /** base64url COSE public key, as verifyPasskeyRegistration returned it. */
  readonly publicKey: string;
  /** The last counter seen (the store's bigint column is accepted as it is). */
  readonly signCount: number | bigint;
}

export interface VerifiedPasskeyAssertion {
  /** Store this; the next assertion must carry a larger counter (or both stay 0). */
  readonly newSignCount: number;
  readonly userVerified: boolean;
}

/**
 * Verifies one assertion against the challenge the server expects: for a payment,
 * paymentChallengeBytes(the message the server is about to execute), so a signature over any
 * other payee, amount, currency or nonce fails as `challenge`.
 */
export async function verifyPasskeyAssertion(input: {
  readonly response: AuthenticationResponseJSON;
  readonly expectedChallenge: Uint8Array;
  readonly origin: string;
  readonly rpId: string;
  readonly credential: StoredPasskey;
}): Promise<VerifiedPasskeyAssertion> {
  const { response, credential } = input;
  const stored = BigInt(credential.signCount);
  assert(stored >= 0n && stored <= 0xffff_ffffn, 'a stored passkey sign count is a 32-bit unsigned integer');
  const publicKey = base64urlBytes(credential.publicKey);
  assert(publicKey.length > 0, 'a stored passkey has a public key');

  const assertion = checkEnvelope(response, ['clientDataJSON', 'authenticatorData', 'signature']);
  if (response.id !== credential.id) refuse('credential', 'the assertion was made by another credential');
  checkClientData(assertion.clientDataJSON, 'webauthn.get', input.expectedChallenge, input.origin);
  const authData = guard('response', () => parseAuthenticatorData(base64urlBytes(assertion.authenticatorData)));
  checkRpIdHash(authData.rpIdHash, input.rpId);
  if (!authData.flags.up) refuse('userPresence', 'the authenticator did not test user presence');

  const result = await guardAsync('response', () =>
    verifyAuthenticationResponse({
      response,
      expectedChallenge: base64url(input.expectedChallenge),
      expectedOrigin: input.origin,
      expectedRPID: input.rpId,
      // Counter 0 turns the library's own counter check off: it runs before the signature check,
      // and a forged response with a low counter would then raise a clone alarm that locks out
      // the real owner. The check below runs only on a signature that verifies.
      credential: { id: credential.id, publicKey, counter: 0 },
      requireUserVerification: false,
    }),
  );
  if (!result.verified) refuse('signature', 'the signature does not verify with the stored public key');

  const newSignCount = result.authenticationInfo.newCounter;
  // WebAuthn §7.2 step 22: with either counter non-zero, the new one must be larger.
  if ((newSignCount > 0 || stored > 0n) && BigInt(newSignCount) <= stored) {
    throw new SaomaError('PASSKEY_CLONED', `signature counter ${newSignCount} is not above the stored ${stored}`, 'signCount');
  }
  return { newSignCount, userVerified: result.authenticationInfo.userVerified };
}

/**
 * The challenge that binds a passkey assertion to exactly what the user approved: SHA-256 of the
 * UTF-8 text shown (payee, amount, currency, nonce). The server recomputes it from the payment it
 * is about to execute, never from anything the client sends back.
 */
export function paymentChallengeBytes(message: string): Uint8Array {
  assert(message.length > 0, 'a payment challenge message is not empty');
  // A lone surrogate encodes as U+FFFD, so two different texts would share one challenge.
  assert(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(message), 'a payment challenge message is well-formed UTF-16');
  return new Uint8Array(createHash('sha256').update(message, 'utf8').digest());
}

// --- checks, each refusing with its own reason ---------------------------------------------------

function refuse(reason: PasskeyRefusal, detail: string): never {
  throw new SaomaError('PASSKEY_INVALID', `passkey refused (${reason}): ${detail}`, reason);
}

function guard<T>(reason: PasskeyRefusal, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof SaomaError) throw error;
    refuse(reason, error instanceof Error ? error.message : String(error));
  }
}

async function guardAsync<T>(reason: PasskeyRefusal, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (error) {
    if (error instanceof SaomaError) throw error;
    refuse(reason, error instanceof Error ? error.message : String(error));
  }
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The shape every response must have before anything in it is decoded. */
function checkEnvelope<K extends string>(response: unknown, fields: readonly K[]): Record<K, string> {
  const r = response as { id?: unknown; rawId?: unknown; type?: unknown; response?: Record<string, unknown> } | null;
  if (typeof r !== 'object' || r === null) refuse('response', 'not an object');
  if (typeof r.id !== 'string' || !BASE64URL.test(r.id) || r.id !== r.rawId) refuse('response', 'id and rawId must be the same base64url string');
  if (r.type !== 'public-key') refuse('response', 'type must be "public-key"');
  const inner = r.response;
  if (typeof inner !== 'object' || inner === null) refuse('response', 'response is missing');
  const out = {} as Record<K, string>;
  for (const field of fields) {
    const value = inner[field];
    if (typeof value !== 'string' || !BASE64URL.test(value)) refuse('response', `response.${field} must be a base64url string`);
    out[field] = value;
  }
  return out;
}

function checkClientData(clientDataJSON: string, type: 'webauthn.create' | 'webauthn.get', expectedChallenge: Uint8Array, origin: string): void {
  const data = guard('response', () => JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as unknown);
  if (typeof data !== 'object' || data === null) refuse('response', 'clientDataJSON is not an object');
  const c = data as { type?: unknown; challenge?: unknown; origin?: unknown; crossOrigin?: unknown; topOrigin?: unknown };
  if (c.type !== type) refuse('type', `clientDataJSON.type is not ${type}`);
  if (typeof c.challenge !== 'string' || !sameText(c.challenge, base64url(expectedChallenge))) {
    refuse('challenge', 'signed for another challenge');
  }
  if (c.origin !== origin) refuse('origin', `made on another origin than ${origin}`);
  // A passkey prompt inside another site's frame is how a payment page gets clickjacked.
  if (c.crossOrigin === true || c.topOrigin !== undefined) refuse('origin', 'made inside a cross-origin frame');
}

function checkRpIdHash(rpIdHash: Uint8Array, rpId: string): void {
  const expected = createHash('sha256').update(rpId, 'utf8').digest();
  if (rpIdHash.length !== expected.length || !timingSafeEqual(rpIdHash, expected)) refuse('rpId', `made for another relying party than ${rpId}`);
}

function assertChallenge(challenge: Uint8Array): void {
  assert(
    challenge.length >= PASSKEY_CHALLENGE_BYTES_MIN && challenge.length <= PASSKEY_CHALLENGE_BYTES_MAX,
    `a passkey challenge is ${PASSKEY_CHALLENGE_BYTES_MIN} to ${PASSKEY_CHALLENGE_BYTES_MAX} bytes`,
  );
}

function assertCredentialIds(ids: readonly string[]): void {
  assert(ids.length <= PASSKEY_LISTED_CREDENTIALS_MAX, `at most ${PASSKEY_LISTED_CREDENTIALS_MAX} credentials are listed`);
  for (const id of ids) assert(BASE64URL.test(id), 'a credential id is base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** The library wants bytes over a plain ArrayBuffer (its Uint8Array_), not a Buffer's pool. */
type Bytes = ReturnType<Uint8Array['slice']>;

function base64urlBytes(text: string): Bytes {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}
