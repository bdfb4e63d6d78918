// The shapes the console reads from the staff API (docs/api.md §4 and the route index).

export type StaffRole = 'admin' | 'risk' | 'support' | 'compliance';

export interface StaffMe {
  readonly id: string;
  readonly role: StaffRole;
  readonly label: string;
}

export interface Dashboard {
  readonly nowMs: number;
  readonly windowMinutes: number;
  readonly perMinute: readonly { readonly minuteMs: number; readonly payments: number; readonly amountMinor: number }[];
  readonly risk: { readonly decisions: number; readonly approved: number; readonly challenged: number; readonly held: number; readonly declined: number };
  readonly reserve: { readonly ok: boolean; readonly message: string; readonly checkedAtMs: number };
  readonly openCases: { readonly riskReviews: number; readonly fraudReports: number; readonly pendingMerchants: number };
  readonly currency: string;
}

export type MerchantStatus = 'pending' | 'approved' | 'suspended';

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
  readonly status: string;
  readonly feeRateBp: number;
  readonly createdAtMs: number;
}

export interface Payment {
  readonly id: string;
  readonly kind: string;
  readonly channel: string;
  readonly status: string;
  readonly amountMinor: number;
  readonly currency: string;
  readonly feeMinor: number;
  readonly refundedMinor: number;
  readonly level: string;
  readonly merchantId: string | null;
  readonly payeeName: string;
  readonly orderId: string | null;
  readonly description: string;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export interface HeldPayment {
  readonly payment: Payment;
  readonly payerConsumerId: string;
  readonly risk: {
    readonly score: number;
    readonly hits: readonly { readonly ruleId: string; readonly score: number }[];
    readonly reasons: readonly string[];
    readonly ruleSetVersion: string;
  } | null;
}

export interface RuleSet {
  readonly version?: string;
  readonly thresholds?: { readonly challenge?: number; readonly review?: number; readonly decline?: number };
  readonly rules?: readonly { readonly id: string; readonly description?: string; readonly shadow?: boolean }[];
}

export type ReportStatus = 'open' | 'investigating' | 'closed';

export interface FraudReport {
  readonly id: string;
  readonly kind: 'payment' | 'code';
  readonly reason: string;
  readonly status: ReportStatus;
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
  readonly reporterConsumerId?: string;
  readonly payeeId?: string | null;
  readonly codePayload?: string | null;
  readonly handledBy?: string | null;
  readonly evidence?: Record<string, unknown>;
}

export interface AuditEntry {
  readonly seq: number | string;
  readonly atMs: number;
  readonly actor: string;
  readonly action: string;
  readonly objectId: string | null;
  readonly detail: unknown;
}

export interface AuditPage {
  readonly items: readonly AuditEntry[];
  readonly nextBeforeSeq: number | string | null;
}
