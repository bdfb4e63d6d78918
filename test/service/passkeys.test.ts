import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { cose, decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import { describe, expect, it } from 'vitest';
import { SaomaError, type ErrorCode } from '../../src/core/errors.js';
import {
  passkeyAssertionOptions,
  passkeyRegistrationOptions,
  paymentChallengeBytes,
  verifyPasskeyAssertion,
  verifyPasskeyRegistration,
  type AuthenticationResponseJSON,
  type PasskeyRefusal,
  type StoredPasskey,
} from '../../src/service/passkeys.js';
import { SoftAuthenticator } from '../helpers/soft-authenticator.js';

const RP_ID = 'localhost';
const ORIGIN = 'http://localhost:3000';
const CONSUMER = 'con_01HZY3Q6J1N8W2'; // opaque, as the user handle must be

async function refusal(promise: Promise<unknown>): Promise<SaomaError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome, 'the call must be refused').toBeInstanceOf(SaomaError);
  return outcome as SaomaError;
}

async function expectRefused(promise: Promise<unknown>, code: ErrorCode, param: PasskeyRefusal | 'signCount'): Promise<void> {
  const error = await refusal(promise);
  expect({ code: error.code, param: error.param }, error.message).toEqual({ code, param });
  expect(error.httpStatus).toBe(401);
}

/** A consumer with one bound passkey, as the device-binding flow would leave it. */
async function bound(authenticator = new SoftAuthenticator(), opts: { userVerified?: boolean } = {}) {
  const challenge = randomBytes(32);
  const options = await passkeyRegistrationOptions({ rpId: RP_ID, rpName: 'saoma', userId: CONSUMER, userName: 'Li Lei', challenge });
  const response = authenticator.create(options, ORIGIN, opts);
  const registered = await verifyPasskeyRegistration({ response, expectedChallenge: challenge, origin: ORIGIN, rpId: RP_ID });
  const stored: StoredPasskey = { id: registered.credentialId, publicKey: registered.publicKey, signCount: registered.signCount };
  return { authenticator, registered, stored, response };
}

const payment = (amountMinor: number, nonce = 'n_7Hq2') =>
  `Pay 陈记面馆 (mer_8d2k) ${amountMinor} CNY minor units; nonce ${nonce}`;

/** An assertion over the payment message, made the way the wallet would make it. */
async function approve(authenticator: SoftAuthenticator, stored: StoredPasskey, message: string, opts = {}) {
  const options = await passkeyAssertionOptions({ rpId: RP_ID, challenge: paymentChallengeBytes(message), allowCredentialIds: [stored.id] });
  return authenticator.get(options, ORIGIN, opts);
}

function verify(response: AuthenticationResponseJSON, stored: StoredPasskey, message: string, at: { origin?: string; rpId?: string } = {}) {
  return verifyPasskeyAssertion({
    response,
    expectedChallenge: paymentChallengeBytes(message),
    origin: at.origin ?? ORIGIN,
    rpId: at.rpId ?? RP_ID,
    credential: stored,
  });
}

/** Rewrites one field of the (signed) clientDataJSON, as a man in the middle would. */
function withClientData<T extends { response: { clientDataJSON: string } }>(response: T, change: Record<string, unknown>): T {
  const data = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as Record<string, unknown>;
  const clientDataJSON = Buffer.from(JSON.stringify({ ...data, ...change })).toString('base64url');
  return { ...response, response: { ...response.response, clientDataJSON } };
}

describe('passkey registration', () => {
  it('asks for a platform-friendly credential: no attestation, user verification and resident key preferred, ES256/EdDSA/RS256', async () => {
    const challenge = randomBytes(32);
    const options = await passkeyRegistrationOptions({
      rpId: RP_ID,
      rpName: 'saoma',
      userId: CONSUMER,
      userName: 'Li Lei',
      challenge,
      excludeCredentialIds: ['AAEC', 'AwQF'],
    });
    expect(options.challenge).toBe(challenge.toString('base64url'));
    expect(options.rp).toEqual({ id: RP_ID, name: 'saoma' });
    expect(options.user).toEqual({ id: Buffer.from(CONSUMER).toString('base64url'), name: 'Li Lei', displayName: 'Li Lei' });
    expect(options.attestation).toBe('none');
    expect(options.authenticatorSelection).toMatchObject({ userVerification: 'preferred', residentKey: 'preferred', requireResidentKey: false });
    expect(options.pubKeyCredParams.map((p) => p.alg)).toEqual([-7, -8, -257]);
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual(['AAEC', 'AwQF']);
    expect(options.timeout).toBe(60_000);
  });

  it('verifies a "none" attestation and returns the credential id, COSE key, counter and user verification', async () => {
    const { registered, response } = await bound();
    expect(registered.credentialId).toBe(response.id);
    expect(registered.signCount).toBe(0);
    expect(registered.userVerified).toBe(true);
    // The COSE key is the authenticator's P-256 public key.
    const key = decodeCredentialPublicKey(new Uint8Array(Buffer.from(registered.publicKey, 'base64url')));
    const jwk = createPublicKey({ key: Buffer.from(response.response.publicKey!, 'base64url'), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    expect(key.get(cose.COSEKEYS.alg)).toBe(-7);
    if (!cose.isCOSEPublicKeyEC2(key)) throw new Error('expected an EC2 key');
    expect(Buffer.from(key.get(cose.COSEKEYS.x)!).toString('base64url')).toBe(jwk.x);
    expect(Buffer.from(key.get(cose.COSEKEYS.y)!).toString('base64url')).toBe(jwk.y);
  });

  it('reports a passkey made without user verification as such, and still binds it', async () => {
    const { registered } = await bound(new SoftAuthenticator(), { userVerified: false });
    expect(registered.userVerified).toBe(false);
  });

  it('lists bound credentials so the authenticator will not make a second one', async () => {
    const { authenticator, registered } = await bound();
    const options = await passkeyRegistrationOptions({
      rpId: RP_ID,
      rpName: 'saoma',
      userId: CONSUMER,
      userName: 'Li Lei',
      challenge: randomBytes(32),
      excludeCredentialIds: [registered.credentialId],
    });
    expect(() => authenticator.create(options, ORIGIN)).toThrow(/InvalidStateError/);
  });

  it('refuses another challenge, another origin, another relying party and a swapped credential id', async () => {
    const challenge = randomBytes(32);
    const options = await passkeyRegistrationOptions({ rpId: RP_ID, rpName: 'saoma', userId: CONSUMER, userName: 'Li Lei', challenge });
    const response = new SoftAuthenticator().create(options, ORIGIN);
    const ok = { response, expectedChallenge: challenge, origin: ORIGIN, rpId: RP_ID };
    await expect(verifyPasskeyRegistration(ok)).resolves.toMatchObject({ credentialId: response.id });

    await expectRefused(verifyPasskeyRegistration({ ...ok, expectedChallenge: randomBytes(32) }), 'PASSKEY_INVALID', 'challenge');
    await expectRefused(verifyPasskeyRegistration({ ...ok, origin: 'https://saoma-pay.example' }), 'PASSKEY_INVALID', 'origin');
    await expectRefused(verifyPasskeyRegistration({ ...ok, rpId: 'saoma.example' }), 'PASSKEY_INVALID', 'rpId');
    const other = randomBytes(32).toString('base64url');
    await expectRefused(verifyPasskeyRegistration({ ...ok, response: { ...response, id: other, rawId: other } }), 'PASSKEY_INVALID', 'credential');
    await expectRefused(verifyPasskeyRegistration({ ...ok, response: withClientData(response, { type: 'webauthn.get' }) }), 'PASSKEY_INVALID', 'type');
  });

  it('refuses a registration made on a phishing origin for its own relying party', async () => {
    const challenge = randomBytes(32);
    const options = await passkeyRegistrationOptions({ rpId: 'saoma-pay.example', rpName: 'saoma', userId: CONSUMER, userName: 'Li Lei', challenge });
    const response = new SoftAuthenticator().create(options, 'https://saoma-pay.example');
    await expectRefused(verifyPasskeyRegistration({ response, expectedChallenge: challenge, origin: ORIGIN, rpId: RP_ID }), 'PASSKEY_INVALID', 'origin');
    await expectRefused(
      verifyPasskeyRegistration({ response: withClientData(response, { origin: ORIGIN }), expectedChallenge: challenge, origin: ORIGIN, rpId: RP_ID }),
      'PASSKEY_INVALID',
      'rpId',
    );
  });
});

describe('passkey assertion', () => {
  it('verifies assertions with the real library and moves the counter forward', async () => {
    const { authenticator, stored } = await bound();
    const message = payment(1250);
    const first = await verify(await approve(authenticator, stored, message), stored, message);
    expect(first).toEqual({ newSignCount: 1, userVerified: true });
    // The store's bigint column is accepted as it is.
    const next: StoredPasskey = { ...stored, signCount: BigInt(first.newSignCount) };
    const second = await verify(await approve(authenticator, next, message), next, message);
    expect(second).toEqual({ newSignCount: 2, userVerified: true });
  });

  it('asks the authenticator for the listed credentials with user verification preferred', async () => {
    const challenge = paymentChallengeBytes(payment(1250));
    const options = await passkeyAssertionOptions({ rpId: RP_ID, challenge, allowCredentialIds: ['AAEC'] });
    expect(options).toMatchObject({
      rpId: RP_ID,
      challenge: Buffer.from(challenge).toString('base64url'),
      userVerification: 'preferred',
      timeout: 60_000,
      allowCredentials: [{ id: 'AAEC', type: 'public-key' }],
    });
  });

  it('accepts an assertion without user verification and says so (one factor: level C)', async () => {
    const { authenticator, stored } = await bound();
    const message = payment(1250);
    const result = await verify(await approve(authenticator, stored, message, { userVerified: false }), stored, message);
    expect(result).toEqual({ newSignCount: 1, userVerified: false });
  });

  it('binds the approval to the amount shown: a signature over 100 does not approve 10000', async () => {
    const { authenticator, stored } = await bound();
    const response = await approve(authenticator, stored, payment(100));
    await expectRefused(verify(response, stored, payment(10_000)), 'PASSKEY_INVALID', 'challenge');
    await expectRefused(verify(response, stored, payment(100, 'n_other')), 'PASSKEY_INVALID', 'challenge');
    await expect(verify(response, stored, payment(100))).resolves.toMatchObject({ newSignCount: 1 });
  });

  it('refuses another origin, a cross-origin frame, another relying party and another type', async () => {
    const { authenticator, stored } = await bound();
    const message = payment(1250);
    const response = await approve(authenticator, stored, message);
    await expectRefused(verify(response, stored, message, { origin: 'https://saoma-pay.example' }), 'PASSKEY_INVALID', 'origin');
    await expectRefused(verify(withClientData(response, { crossOrigin: true }), stored, message), 'PASSKEY_INVALID', 'origin');
    await expectRefused(verify(withClientData(response, { topOrigin: 'https://shop.example' }), stored, message), 'PASSKEY_INVALID', 'origin');
    await expectRefused(verify(response, stored, message, { rpId: 'saoma.example' }), 'PASSKEY_INVALID', 'rpId');
    await expectRefused(verify(withClientData(response, { type: 'webauthn.create' }), stored, message), 'PASSKEY_INVALID', 'type');
    await expect(verify(response, stored, message)).resolves.toMatchObject({ newSignCount: 1 });
  });

  it('refuses tampered authenticator data: user verification or counter raised after signing', async () => {
    const { authenticator, stored } = await bound();
    const message = payment(1250);
    const response = await approve(authenticator, stored, message, { userVerified: false });
    const tamper = (f: (data: Buffer) => void): AuthenticationResponseJSON => {
      const data = Buffer.from(response.response.authenticatorData, 'base64url');
      f(data);
      return { ...response, response: { ...response.response, authenticatorData: data.toString('base64url') } };
    };
    await expectRefused(verify(tamper((d) => (d[32] = d[32]! | 0x04)), stored, message), 'PASSKEY_INVALID', 'signature');
    await expectRefused(verify(tamper((d) => d.writeUInt32BE(1000, 33)), stored, message), 'PASSKEY_INVALID', 'signature');
    await expect(verify(response, stored, message)).resolves.toEqual({ newSignCount: 1, userVerified: false });
  });

  it('refuses a changed clientDataJSON that still names the right challenge and origin', async () => {
    const { authenticator, stored } = await bound();
    const message = payment(1250);
    const response = await approve(authenticator, stored, message);
    await expectRefused(verify(withClientData(response, { extra: 'x' }), stored, message), 'PASSKEY_INVALID', 'signature');
  });

  it('refuses a signature by another key under this credential id', async () => {
    const victim = await bound();
    const attacker = await bound();
    const message = payment(1250);
    const forged = await approve(attacker.authenticator, attacker.stored, message);
    const response = { ...forged, id: victim.stored.id, rawId: victim.stored.id };
    await expectRefused(verify(response, victim.stored, message), 'PASSKEY_INVALID', 'signature');
    // Unmodified, it names its own credential, which is not the one being checked.
    await expectRefused(verify(forged, victim.stored, message), 'PASSKEY_INVALID', 'credential');
  });

  it('refuses a counter that goes backwards or repeats (a clone), but not on a forged signature', async () => {
    const { authenticator, stored } = await bound();
    const message = payment(1250);
    let current = stored;
    for (let i = 0; i < 3; i++) {
      const { newSignCount } = await verify(await approve(authenticator, current, message), current, message);
      current = { ...current, signCount: newSignCount };
    }
    expect(current.signCount).toBe(3);
    await expectRefused(verify(await approve(authenticator, current, message, { signCount: 2 }), current, message), 'PASSKEY_CLONED', 'signCount');
    await expectRefused(verify(await approve(authenticator, current, message, { signCount: 3 }), current, message), 'PASSKEY_CLONED', 'signCount');
    await expectRefused(verify(await approve(authenticator, current, message, { signCount: 0 }), current, message), 'PASSKEY_CLONED', 'signCount');
    await expect(verify(await approve(authenticator, current, message), current, message)).resolves.toMatchObject({ newSignCount: 4 });

    // Someone without the key cannot raise the clone alarm (and get the owner's passkey suspended).
    const other = await bound();
    const forged = await approve(other.authenticator, other.stored, message, { signCount: 1 });
    await expectRefused(verify({ ...forged, id: current.id, rawId: current.id }, current, message), 'PASSKEY_INVALID', 'signature');
  });

  it('accepts authenticators that never count (both counters stay 0)', async () => {
    const { authenticator, stored } = await bound();
    const message = payment(1250);
    for (let i = 0; i < 2; i++) {
      await expect(verify(await approve(authenticator, stored, message, { signCount: 0 }), stored, message)).resolves.toEqual({
        newSignCount: 0,
        userVerified: true,
      });
    }
  });

  it('refuses an assertion without user presence', async () => {
    const { authenticator, stored } = await bound();
    const message = payment(1250);
    await expectRefused(verify(await approve(authenticator, stored, message, { userPresent: false }), stored, message), 'PASSKEY_INVALID', 'userPresence');
  });

  it('refuses malformed responses as "response", without throwing anything else', async () => {
    const { authenticator, stored } = await bound();
    const message = payment(1250);
    const good = await approve(authenticator, stored, message);
    const bad: unknown[] = [
      null,
      'a string',
      { ...good, rawId: 'other' },
      { ...good, type: 'password' },
      { ...good, response: undefined },
      { ...good, response: { ...good.response, signature: 'not base64url!' } },
      { ...good, response: { ...good.response, authenticatorData: 'AAAA' } },
      { ...good, response: { ...good.response, clientDataJSON: Buffer.from('not json').toString('base64url') } },
    ];
    for (const response of bad) {
      await expectRefused(verify(response as AuthenticationResponseJSON, stored, message), 'PASSKEY_INVALID', 'response');
    }
  });
});

describe('paymentChallengeBytes', () => {
  it('is SHA-256 of the UTF-8 text', () => {
    expect(Buffer.from(paymentChallengeBytes('abc')).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const text = payment(1250);
    expect(Buffer.from(paymentChallengeBytes(text))).toEqual(createHash('sha256').update(Buffer.from(text, 'utf8')).digest());
    expect(paymentChallengeBytes(text)).toHaveLength(32);
  });

  it('differs for every change of payee, amount, currency or nonce', () => {
    const variants = [payment(100), payment(10_000), payment(100, 'n_other'), payment(100).replace('CNY', 'HKD'), payment(100).replace('mer_8d2k', 'mer_8d2j')];
    const hex = variants.map((m) => Buffer.from(paymentChallengeBytes(m)).toString('hex'));
    expect(new Set(hex).size).toBe(variants.length);
  });

  it('refuses text that UTF-8 cannot carry exactly (a lone surrogate would collide with U+FFFD)', () => {
    expect(() => paymentChallengeBytes('pay \uD800')).toThrow(SaomaError);
    expect(() => paymentChallengeBytes('')).toThrow(SaomaError);
    expect(() => paymentChallengeBytes('pay 😀')).not.toThrow();
  });
});
