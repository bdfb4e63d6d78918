// Passkeys through @simplewebauthn/browser: bind at sign-up, sign in, and approve exactly the text
// the server prepared (its challenge is SHA-256 of that text, so the assertion covers payee and amount).
import {
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import { api, ApiError } from '../shared/api.js';
import { storePaymentCodeKey, type StoredDevice, type StoredSession } from './store.js';
import type { SignedUp } from './types.js';

function requireWebAuthn(): void {
  if (!browserSupportsWebAuthn()) {
    throw new ApiError(0, { type: 'client_error', code: 'PASSKEY_UNSUPPORTED', message: 'WebAuthn is not available in this browser' });
  }
}

export async function signUpWithPasskey(input: { identifier: string; displayName: string; label: string }): Promise<{ device: StoredDevice; session: StoredSession }> {
  requireWebAuthn();
  const begin = await api<{ challengeId: string; options: Record<string, unknown> }>('POST', '/v1/consumers/passkey/options', {
    body: { identifier: input.identifier, displayName: input.displayName },
  });
  const response = await startRegistration({ optionsJSON: begin.options as unknown as PublicKeyCredentialCreationOptionsJSON });
  const bound = await api<SignedUp>('POST', '/v1/consumers/passkey', { body: { challengeId: begin.challengeId, response, label: input.label } });
  await storePaymentCodeKey(bound.device.id, bound.paymentCodeKey);
  return {
    device: {
      consumerId: bound.consumer.id,
      deviceId: bound.device.id,
      deviceIndex: bound.device.deviceIndex,
      identifier: bound.consumer.identifier,
      displayName: bound.consumer.displayName,
    },
    session: bound.session,
  };
}

export async function signInWithPasskey(deviceId: string): Promise<StoredSession> {
  requireWebAuthn();
  const challenge = await api<{ challengeId: string; assertionOptions?: Record<string, unknown> }>('POST', '/v1/sessions/challenge', { body: { deviceId } });
  if (!challenge.assertionOptions) throw new Error('this device is not a passkey device');
  const assertion = await startAuthentication({ optionsJSON: challenge.assertionOptions as unknown as PublicKeyCredentialRequestOptionsJSON });
  return api<StoredSession>('POST', '/v1/sessions', { body: { deviceId, challengeId: challenge.challengeId, assertion } });
}

/** The passkey approves a prepared payment or confirmation. */
export async function approve(assertionOptions: Record<string, unknown> | undefined): Promise<AuthenticationResponseJSON> {
  requireWebAuthn();
  if (!assertionOptions) throw new Error('the server sent no passkey options for this device');
  return startAuthentication({ optionsJSON: assertionOptions as unknown as PublicKeyCredentialRequestOptionsJSON });
}
