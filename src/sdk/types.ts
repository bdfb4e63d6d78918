// Shapes of the API's answers, as the SDK returns them (amounts are JSON integers of minor units).

export interface Payment {
  readonly id: string;
  readonly kind: 'merchant' | 'personal_code' | 'p2p';
  readonly channel: string;
  readonly status: 'awaiting_confirmation' | 'held_for_review' | 'succeeded' | 'voided' | 'expired' | 'refunded' | 'declined';
  readonly amountMinor: number;
  readonly currency: string;
  readonly feeMinor: number;
  readonly refundedMinor: number;
  readonly level: 'A' | 'B' | 'C' | 'D';
  readonly compensationPromise: boolean;
  readonly merchantId: string | null;
  readonly payeeName: string;
  readonly orderId: string | null;
  readonly description: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
  readonly direction?: 'sent' | 'received';
  readonly refundId?: string;
}

export interface PreparedPayment {
  readonly challengeId: string;
  readonly message: string;
  readonly expiresAtMs: number;
  readonly payee: { readonly kind: string; readonly id: string; readonly name: string; readonly verified: boolean };
  readonly amountMinor: number;
  readonly currency: string;
  readonly channel: string;
  readonly pinRequired: boolean;
  /** Passkey devices: the options for navigator.credentials.get over this payment's text. */
  readonly assertionOptions?: Record<string, unknown>;
}

/** What a scanned code is (POST /v1/wallet/codes/resolve), before any amount. */
export interface CodeResolution {
  readonly verdict: 'genuine' | 'counterfeit' | 'expired' | 'used' | 'foreign' | 'url' | 'text';
  /** Plain words for the person holding the phone. */
  readonly message: string;
  readonly reason?: string;
  /** The registered payee (never the name printed in the code). */
  readonly payee?: { readonly kind: 'merchant' | 'personal'; readonly id: string; readonly name: string; readonly city: string; readonly verified: boolean; readonly status: string };
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

/** A fraud report filed from the wallet ("this wasn't me", "report this code"). */
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
  readonly resolution: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export interface Consumer {
  readonly id: string;
  readonly identifier: string;
  readonly displayName: string;
  readonly accountClass: 'I' | 'II' | 'III';
  readonly status: string;
  readonly identityVerified: boolean;
  readonly identityNumberMasked: string | null;
  readonly pinSet: boolean;
  readonly createdAtMs: number;
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

export interface Merchant {
  readonly id: string;
  readonly kind: string;
  readonly legalName: string;
  readonly displayName: string;
  readonly licenceNumber: string | null;
  readonly mcc: string;
  readonly address: string;
  readonly city: string;
  readonly countryCode: string;
  readonly currency: string;
  readonly settlementAccountMasked: string | null;
  readonly status: 'pending' | 'approved' | 'suspended';
  readonly feeRateBp: number;
  readonly createdAtMs: number;
}

export interface Till {
  readonly id: string;
  readonly label: string;
  readonly payload: string;
  readonly createdAtMs: number;
}

export interface Order {
  readonly id: string;
  readonly reference: string;
  readonly description: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly status: 'open' | 'held' | 'paid' | 'closed' | 'expired';
  readonly payload: string;
  readonly expiresAtMs: number;
  readonly paymentId: string | null;
  readonly createdAtMs: number;
}

export interface ApiKey {
  readonly id: string;
  readonly role: 'owner' | 'manager' | 'cashier';
  readonly label: string;
  readonly last4: string;
  readonly createdAtMs: number;
  readonly revokedAtMs: number | null;
}

export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly description: string;
  readonly status: 'active' | 'disabled';
  readonly createdAtMs: number;
  readonly disabledAtMs: number | null;
}
