// The shapes the wallet reads from the API (docs/api.md; the server's response schemas).

export interface Consumer {
  readonly id: string;
  readonly identifier: string;
  readonly displayName: string;
  readonly accountClass: string;
  readonly status: string;
  readonly identityVerified: boolean;
  readonly pinSet: boolean;
  readonly createdAtMs: number;
}

export interface Balance {
  readonly availableMinor: number;
  readonly pendingMinor: number;
  readonly currency: string;
}

export interface WalletView {
  readonly consumer: Consumer;
  readonly balance: Balance;
}

export interface Device {
  readonly id: string;
  readonly label: string;
  readonly kind: string;
  readonly status: string;
  readonly deviceIndex: number;
  readonly trustedFromMs: number;
  readonly paymentCodeLocked: boolean;
  readonly createdAtMs: number;
}

export interface SignedUp {
  readonly consumer: Consumer;
  readonly device: Device;
  readonly paymentCodeKey: string;
  readonly session: { readonly token: string; readonly expiresAtMs: number };
}

export type PaymentStatus = 'awaiting_confirmation' | 'held_for_review' | 'succeeded' | 'voided' | 'expired' | 'refunded' | 'declined';

export interface Payment {
  readonly id: string;
  readonly kind: 'merchant' | 'personal_code' | 'p2p';
  readonly channel: string;
  readonly status: PaymentStatus;
  readonly amountMinor: number;
  readonly currency: string;
  readonly feeMinor: number;
  readonly refundedMinor: number;
  readonly level: string;
  readonly compensationPromise: boolean;
  readonly merchantId: string | null;
  readonly payeeName: string;
  readonly orderId: string | null;
  readonly description: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly direction?: 'sent' | 'received';
}

/** A prepared payment (or a confirmation challenge): exactly what the passkey approves. */
export interface Prepared {
  readonly challengeId: string;
  readonly message: string;
  readonly expiresAtMs: number;
  readonly payee: { readonly kind: string; readonly id: string; readonly name: string; readonly verified: boolean };
  readonly amountMinor: number;
  readonly currency: string;
  readonly channel: string;
  readonly pinRequired: boolean;
  readonly assertionOptions?: Record<string, unknown>;
}

export type Verdict = 'genuine' | 'counterfeit' | 'expired' | 'used' | 'foreign' | 'url' | 'text';

export interface Resolved {
  readonly verdict: Verdict;
  readonly message: string;
  readonly reason?: string;
  readonly payee?: { readonly kind: 'merchant' | 'personal'; readonly id: string; readonly name: string; readonly city?: string; readonly verified: boolean; readonly status?: string };
  readonly initiation?: 'static' | 'dynamic';
  readonly amountMinor?: number;
  readonly currency?: string;
  readonly description?: string;
  readonly expiresAtMs?: number;
  readonly scheme?: string;
  readonly nameInCode?: string;
  readonly url?: { readonly href: string; readonly domain: string; readonly scheme: string; readonly warnings: readonly string[]; readonly imitates?: string };
  readonly text?: string;
}

export interface FraudReport {
  readonly id: string;
  readonly kind: 'payment' | 'code';
  readonly reason: string;
  readonly status: 'open' | 'investigating' | 'closed';
  readonly description: string;
  readonly paymentId: string | null;
  readonly merchantId: string | null;
  readonly payeeName: string | null;
  readonly amountMinor: number | null;
  readonly currency: string | null;
  readonly codeVerdict: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly resolution: string | null;
}

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
