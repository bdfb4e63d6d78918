import { Type } from 'typebox';
import { SaomaError } from '../../core/errors.js';
import type { DeviceProof } from '../../service/consumers.js';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../../service/passkeys.js';

const B64u = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '^[A-Za-z0-9_-]+$' });

/** ECDSA P-256 / SHA-256 over the challenge text, r||s (64 bytes) in base64url: SDK device keys. */
export const Signature = Type.String({ minLength: 86, maxLength: 86, pattern: '^[A-Za-z0-9_-]+$', description: 'ECDSA P-256 SHA-256 signature over the challenge message, r||s in base64url (SDK device keys)' });

/** navigator.credentials.get's answer, as @simplewebauthn/browser returns it: passkey devices. */
export const Assertion = Type.Object(
  {
    id: B64u(1400),
    rawId: B64u(1400),
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: B64u(4096),
        authenticatorData: B64u(4096),
        signature: B64u(1024),
        userHandle: Type.Optional(B64u(512)),
      },
      { additionalProperties: false },
    ),
    clientExtensionResults: Type.Object({}, { additionalProperties: true }),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false, description: 'a passkey assertion over SHA-256 of the challenge message (passkey devices)' },
);

/** navigator.credentials.create's answer (attestation "none"). */
export const Registration = Type.Object(
  {
    id: B64u(1400),
    rawId: B64u(1400),
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: B64u(4096),
        attestationObject: B64u(16384),
        authenticatorData: Type.Optional(B64u(16384)),
        transports: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 8 })),
        publicKeyAlgorithm: Type.Optional(Type.Integer()),
        publicKey: Type.Optional(B64u(4096)),
      },
      { additionalProperties: false },
    ),
    clientExtensionResults: Type.Object({}, { additionalProperties: true }),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);

export const AssertionOptions = Type.Object({}, { additionalProperties: true, description: 'options for navigator.credentials.get (passkey devices only)' });

/** Exactly one of `signature` (SDK key) and `assertion` (passkey). */
export function proofOf(body: { signature?: string | undefined; assertion?: unknown }): DeviceProof {
  if ((body.signature === undefined) === (body.assertion === undefined)) {
    throw new SaomaError('INVALID_REQUEST', 'give exactly one of signature (device key) and assertion (passkey)', 'signature');
  }
  return body.signature !== undefined ? { signature: body.signature } : { assertion: body.assertion as AuthenticationResponseJSON };
}

export function registrationOf(value: unknown): RegistrationResponseJSON {
  return value as RegistrationResponseJSON;
}
