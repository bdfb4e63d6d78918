// The shapes the wallet reads from the API (docs/api.md): the SDK's types, plus a few of its own.
import type { CodeResolution, Consumer, Device, Payment, PreparedPayment } from '../../src/sdk/types.js';

export type { CodeResolution, Consumer, Device, FraudReport, Payment, PreparedPayment } from '../../src/sdk/types.js';

export interface Balance {
  readonly availableMinor: number;
  readonly pendingMinor: number;
  readonly currency: string;
}

export interface WalletView {
  readonly consumer: Consumer;
  readonly balance: Balance;
}

export interface SignedUp {
  readonly consumer: Consumer;
  readonly device: Device;
  readonly paymentCodeKey: string;
  readonly session: { readonly token: string; readonly expiresAtMs: number };
}

export type PaymentStatus = Payment['status'];
/** A prepared payment (or a confirmation challenge): exactly what the passkey approves. */
export type Prepared = PreparedPayment;
export type Verdict = CodeResolution['verdict'];
export type Resolved = CodeResolution;

export interface BankTransfer {
  readonly id: string;
  readonly kind: 'topup' | 'withdrawal';
  readonly status: 'created' | 'bank_sent' | 'succeeded' | 'declined' | 'failed';
  readonly amountMinor: number;
  readonly currency: string;
  readonly accountMasked: string;
  readonly bankReference: string | null;
  readonly reason: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}
