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
