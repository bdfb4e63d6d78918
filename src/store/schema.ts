// Table types for Kysely. Integer money and timestamps are bigint on both engines.
import type { Generated } from 'kysely';

export interface LedgerAccountsTable {
  id: string;
  currency: string;
  code: string;
  flags: number;
  user_data: string | null;
  ts: bigint;
  debits_pending: bigint;
  debits_posted: bigint;
  credits_pending: bigint;
  credits_posted: bigint;
}

export interface LedgerTransfersTable {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount_minor: bigint;
  currency: string;
  flags: number;
  pending_id: string | null;
  timeout_ms: bigint;
  user_data: string | null;
  ts: bigint;
  pending_amount_minor: bigint;
}

export interface LedgerPendingTable {
  id: string;
  status: string;
  expires_at_ts: bigint | null;
}

export interface JobsTable {
  id: string;
  kind: string;
  payload: string;
  status: string;
  run_at_ms: bigint;
  attempts: number;
  lease_owner: string | null;
  lease_until_ms: bigint | null;
  last_error: string | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
}

export interface StaffTokensTable {
  id: string;
  token_hash: string;
  role: string;
  label: string;
  created_at_ms: bigint;
  revoked_at_ms: bigint | null;
}

export interface AuditLogTable {
  seq: Generated<bigint>;
  at_ms: bigint;
  actor: string;
  action: string;
  object_id: string | null;
  detail: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface QrSigningKeysTable {
  key_id: string;
  public_key: string;
  private_key_sealed: string;
  status: string;
  created_at_ms: bigint;
  retired_at_ms: bigint | null;
  revoked_at_ms: bigint | null;
}

export interface IdempotencyKeysTable {
  actor: string;
  key: string;
  fingerprint: string;
  status_code: number | null;
  response_body: string | null;
  created_at_ms: bigint;
}


export interface ConsumersTable {
  id: string;
  identifier: string;
  display_name: string;
  account_class: string;
  status: string;
  identity_name_sealed: string | null;
  identity_number_sealed: string | null;
  identity_number_masked: string | null;
  identity_verified_at_ms: bigint | null;
  pin_hash: string | null;
  pin_failed_attempts: number;
  pin_locked_until_ms: bigint | null;
  created_at_ms: bigint;
  credentials_changed_at_ms: Generated<bigint | null>;
}

export interface DevicesTable {
  id: string;
  consumer_id: string;
  device_index: number;
  kind: string;
  public_key: string;
  credential_id: string | null;
  sign_count: bigint;
  label: string;
  status: string;
  trusted_from_ms: bigint;
  pay_code_key_sealed: string;
  pay_code_last_step: bigint | null;
  pay_code_failed_consecutive: number;
  created_at_ms: bigint;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  consumer_id: string;
  device_id: string;
  created_at_ms: bigint;
  expires_at_ms: bigint;
  revoked_at_ms: bigint | null;
}

export interface ChallengesTable {
  id: string;
  purpose: string;
  consumer_id: string | null;
  device_id: string | null;
  message: string;
  payload: string;
  expires_at_ms: bigint;
  used_at_ms: bigint | null;
  created_at_ms: bigint;
}

export interface MerchantsTable {
  id: string;
  kind: string;
  legal_name: string;
  display_name: string;
  licence_number: string | null;
  mcc: string;
  address: string;
  city: string;
  country_code: string;
  currency: string;
  settlement_account_sealed: string | null;
  settlement_account_masked: string | null;
  status: string;
  owner_consumer_id: string | null;
  fee_rate_bp: number;
  created_at_ms: bigint;
  reviewed_at_ms: bigint | null;
}

export interface MerchantApiKeysTable {
  id: string;
  merchant_id: string;
  key_hash: string;
  role: string;
  label: string;
  last4: string;
  created_at_ms: bigint;
  revoked_at_ms: bigint | null;
}

export interface TillsTable {
  id: string;
  merchant_id: string;
  label: string;
  payload: string;
  created_at_ms: bigint;
}

export interface OrdersTable {
  id: string;
  merchant_id: string;
  reference: string;
  description: string;
  amount_minor: bigint;
  currency: string;
  status: string;
  payload: string;
  expires_at_ms: bigint;
  payment_id: string | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
}

export interface PaymentsTable {
  id: string;
  kind: string;
  channel: string;
  merchant_id: string | null;
  payer_consumer_id: string;
  payee_consumer_id: string | null;
  device_id: string | null;
  order_id: string | null;
  challenge_id: string | null;
  amount_minor: bigint;
  currency: string;
  fee_minor: bigint;
  refunded_minor: bigint;
  fee_refunded_minor: bigint;
  status: string;
  level: string;
  compensation_promise: number;
  description: string;
  counters: string;
  created_at_ms: bigint;
  updated_at_ms: bigint;
}

export interface RefundsTable {
  id: string;
  payment_id: string;
  merchant_id: string;
  seq: number;
  amount_minor: bigint;
  fee_refund_minor: bigint;
  reason: string;
  created_at_ms: bigint;
}

export interface SpendCountersTable {
  key: string;
  used_minor: bigint;
  count: number;
}

export interface PaymentCodeAttemptsTable {
  id: Generated<number>;
  merchant_id: string;
  failed: number;
  at_ms: bigint;
}

export interface OutboxEventsTable {
  seq: Generated<bigint>;
  id: string;
  type: string;
  merchant_id: string | null;
  consumer_id: string | null;
  data: string;
  created_at_ms: bigint;
}

export interface BankTransfersTable {
  id: string;
  kind: string;
  owner_kind: string;
  owner_id: string;
  amount_minor: bigint;
  currency: string;
  account_sealed: string;
  account_masked: string;
  status: string;
  bank_reference: string | null;
  reason: string | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
}

export interface WebhookEndpointsTable {
  id: string;
  merchant_id: string;
  url: string;
  description: string;
  secret_sealed: string;
  status: string;
  created_at_ms: bigint;
  disabled_at_ms: bigint | null;
}

export interface WebhookAttemptsTable {
  seq: Generated<bigint>;
  event_id: string;
  endpoint_id: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  at_ms: bigint;
}

export interface RiskDecisionsTable {
  id: string;
  payment_id: string | null;
  challenge_id: string | null;
  payer_consumer_id: string;
  payee_id: string;
  amount_minor: bigint;
  currency: string;
  outcome: string;
  effect: string;
  score: number;
  hits: string;
  reasons: string;
  rule_set_version: string;
  features: string;
  created_at_ms: bigint;
  reviewed_by: string | null;
  review_outcome: string | null;
  reviewed_at_ms: bigint | null;
}

export interface RiskLabelsTable {
  id: string;
  verdict: string;
  payment_id: string | null;
  payer_id: string | null;
  payee_id: string | null;
  culprit_accounts: string;
  culprit_devices: string;
  culprit_codes: string;
  actor: string;
  created_at_ms: bigint;
}

export interface FraudReportsTable {
  id: string;
  kind: string;
  reason: string;
  status: string;
  description: string;
  reporter_consumer_id: string;
  payment_id: string | null;
  merchant_id: string | null;
  payee_id: string | null;
  payee_name: string | null;
  amount_minor: bigint | null;
  currency: string | null;
  code_payload: string | null;
  code_verdict: string | null;
  evidence: string;
  resolution: string | null;
  handled_by: string | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
}

export interface Database {
  ledger_accounts: LedgerAccountsTable;
  ledger_transfers: LedgerTransfersTable;
  ledger_pending: LedgerPendingTable;
  jobs: JobsTable;
  staff_tokens: StaffTokensTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  qr_signing_keys: QrSigningKeysTable;
  idempotency_keys: IdempotencyKeysTable;
  consumers: ConsumersTable;
  devices: DevicesTable;
  sessions: SessionsTable;
  challenges: ChallengesTable;
  merchants: MerchantsTable;
  merchant_api_keys: MerchantApiKeysTable;
  tills: TillsTable;
  orders: OrdersTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
  spend_counters: SpendCountersTable;
  payment_code_attempts: PaymentCodeAttemptsTable;
  outbox_events: OutboxEventsTable;
  risk_decisions: RiskDecisionsTable;
  fraud_reports: FraudReportsTable;
  risk_labels: RiskLabelsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_attempts: WebhookAttemptsTable;
  bank_transfers: BankTransfersTable;
}
