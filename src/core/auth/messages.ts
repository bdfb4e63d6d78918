// The exact texts a bound device signs. A device approves what it was shown, and the server
// verifies against the text it stored: change one character (payee, amount, currency, nonce) and
// the signature no longer verifies. Pure: ids, nonces and times come in as arguments.

import { formatMajorAmount } from '../money/index.js';

export type ChallengePurpose = 'login' | 'payment' | 'confirm' | 'approve_device';

export interface PaymentChallengeFields {
  readonly challengeId: string;
  readonly payeeKind: 'merchant' | 'consumer';
  readonly payeeId: string;
  /** The registered name, never a name read from a code. */
  readonly payeeName: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly nonce: string;
  readonly expiresAtMs: number;
}

/** One field per line; values cannot contain a newline, so no field can pose as another. */
function lines(header: string, fields: ReadonlyArray<readonly [string, string]>): string {
  for (const [name, value] of fields) {
    if (/[\r\n]/.test(value)) throw new RangeError(`${name} must not contain a line break`);
  }
  return [header, ...fields.map(([name, value]) => `${name}: ${value}`)].join('\n');
}

export function paymentChallengeMessage(f: PaymentChallengeFields): string {
  return lines('saoma payment v1', [
    ['challenge', f.challengeId],
    ['payee', `${f.payeeKind} ${f.payeeId}`],
    ['payee name', f.payeeName],
    ['amount', `${f.amountMinor} ${f.currency} (${formatMajorAmount(f.amountMinor, f.currency)} ${f.currency})`],
    ['nonce', f.nonce],
    ['expires', new Date(f.expiresAtMs).toISOString()],
  ]);
}

/** A merchant-scanned payment above the password-free limit, confirmed on the consumer's device. */
export function confirmChallengeMessage(f: PaymentChallengeFields & { readonly paymentId: string }): string {
  return lines('saoma confirm v1', [
    ['challenge', f.challengeId],
    ['payment', f.paymentId],
    ['payee', `${f.payeeKind} ${f.payeeId}`],
    ['payee name', f.payeeName],
    ['amount', `${f.amountMinor} ${f.currency} (${formatMajorAmount(f.amountMinor, f.currency)} ${f.currency})`],
    ['nonce', f.nonce],
    ['expires', new Date(f.expiresAtMs).toISOString()],
  ]);
}

export function loginChallengeMessage(f: { challengeId: string; deviceId: string; nonce: string; expiresAtMs: number }): string {
  return lines('saoma login v1', [
    ['challenge', f.challengeId],
    ['device', f.deviceId],
    ['nonce', f.nonce],
    ['expires', new Date(f.expiresAtMs).toISOString()],
  ]);
}

export function approveDeviceMessage(f: { challengeId: string; newDeviceId: string; newDeviceLabel: string; nonce: string; expiresAtMs: number }): string {
  return lines('saoma approve device v1', [
    ['challenge', f.challengeId],
    ['new device', f.newDeviceId],
    ['label', f.newDeviceLabel],
    ['nonce', f.nonce],
    ['expires', new Date(f.expiresAtMs).toISOString()],
  ]);
}
