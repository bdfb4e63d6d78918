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
}
