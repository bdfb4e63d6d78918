// The shapes the console reads from the staff API (docs/api.md §4 and the route index): the SDK's
// where it has them, and the staff-only ones here.
import type { FraudReport as SdkFraudReport } from '../../src/sdk/types.js';

export type { Merchant, Payment } from '../../src/sdk/types.js';
import type { Payment } from '../../src/sdk/types.js';

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

export type ReportStatus = SdkFraudReport['status'];

/** A fraud report as operators see it: the wallet's view plus the reporter and the evidence. */
export interface FraudReport extends SdkFraudReport {
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

/** What a label may name a party as (src/service/risk-labels.ts). */
export type PartyKind = 'account' | 'device' | 'code';

/** One row of `risk_labels` as GET /v1/ops/risk/labels answers it. */
export interface RiskLabel {
  readonly id: string;
  readonly verdict: 'fraud' | 'legitimate' | 'withdrawn';
  readonly paymentId: string | null;
  readonly culprits: { readonly accountIds: readonly string[]; readonly deviceIds: readonly string[]; readonly codeIds: readonly string[] };
  readonly actor: string;
  readonly createdAtMs: number;
}

export interface LabelLookup {
  readonly party: string;
  readonly labelled: boolean;
  readonly labelledAs: readonly PartyKind[];
  readonly labels: readonly RiskLabel[];
}
