import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { StoreKind } from '../store.js';
import { walletsMerchantsPayments } from './0005-wallets-merchants-payments.js';
import { riskDecisions } from './0008-risk.js';
import { fraudReports } from './0009-fraud-reports.js';
import { riskLabels } from './0010-risk-labels.js';
import { webhooks } from './0006-webhooks.js';
import { bankTransfers } from './0007-bank-transfers.js';

// Transfers and the audit trail are never edited: corrections are new rows. The database refuses.
async function appendOnly(db: Kysely<any>, kind: StoreKind, table: string): Promise<void> {
  if (kind === 'postgres') {
    await sql.raw(`CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '${table} is append-only'; END $$`).execute(db);
    await sql.raw(`CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`).execute(db);
  } else {
    await sql.raw(`CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`).execute(db);
    await sql.raw(`CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END`).execute(db);
  }
}

// One migration history that both engines apply; the few engine differences are spelled out.
function migrations(kind: StoreKind): Record<string, Migration> {
  return {
    '0001_ledger': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('ledger_accounts')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('currency', 'text', (c) => c.notNull())
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('flags', 'integer', (c) => c.notNull())
          .addColumn('user_data', 'text')
          .addColumn('ts', 'bigint', (c) => c.notNull())
          .addColumn('debits_pending', 'bigint', (c) => c.notNull())
          .addColumn('debits_posted', 'bigint', (c) => c.notNull())
          .addColumn('credits_pending', 'bigint', (c) => c.notNull())
          .addColumn('credits_posted', 'bigint', (c) => c.notNull())
          .execute();
        // On SQLite the timestamp is the rowid, so new transfers append to the table's B-tree.
        await db.schema
          .createTable('ledger_transfers')
          .addColumn('id', 'text', (c) => (kind === 'sqlite' ? c.notNull().unique() : c.primaryKey()))
          .addColumn('debit_account_id', 'text', (c) => c.notNull())
          .addColumn('credit_account_id', 'text', (c) => c.notNull())
          .addColumn('amount_minor', 'bigint', (c) => c.notNull())
          .addColumn('currency', 'text', (c) => c.notNull())
          .addColumn('flags', 'integer', (c) => c.notNull())
          .addColumn('pending_id', 'text')
          .addColumn('timeout_ms', 'bigint', (c) => c.notNull())
          .addColumn('user_data', 'text')
          .addColumn('ts', kind === 'sqlite' ? 'integer' : 'bigint', (c) => (kind === 'sqlite' ? c.primaryKey() : c.notNull().unique()))
          .addColumn('pending_amount_minor', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('ledger_transfers_debit_ts').on('ledger_transfers').columns(['debit_account_id', 'ts']).execute();
        await db.schema.createIndex('ledger_transfers_credit_ts').on('ledger_transfers').columns(['credit_account_id', 'ts']).execute();
        await db.schema
          .createTable('ledger_pending')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('expires_at_ts', 'bigint')
          .execute();
        await appendOnly(db, kind, 'ledger_transfers');
        if (kind === 'postgres') {
          // Balance updates rewrite account rows on every batch: free space on each page lets
          // PostgreSQL update them in place (HOT) without touching the primary-key index.
          await sql`ALTER TABLE ledger_accounts SET (fillfactor = 50)`.execute(db);
        }
      },
    },
    '0002_jobs_staff_audit': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('jobs')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('run_at_ms', 'bigint', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('lease_owner', 'text')
          .addColumn('lease_until_ms', 'bigint')
          .addColumn('last_error', 'text')
          .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
          .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_at_ms']).execute();
        await db.schema
          .createTable('staff_tokens')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('label', 'text', (c) => c.notNull())
          .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
          .addColumn('revoked_at_ms', 'bigint')
          .execute();
        await db.schema
          .createTable('audit_log')
          .addColumn('seq', kind === 'postgres' ? 'bigserial' : 'integer', (c) =>
            kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('at_ms', 'bigint', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('object_id', 'text')
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute();
        await appendOnly(db, kind, 'audit_log');
        await db.schema
          .createTable('settings')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '0003_qr_signing_keys': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('qr_signing_keys')
          .addColumn('key_id', 'text', (c) => c.primaryKey())
          .addColumn('public_key', 'text', (c) => c.notNull())
          // The private key, sealed with the master key (AES-256-GCM); never stored in the clear.
          .addColumn('private_key_sealed', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
          .addColumn('retired_at_ms', 'bigint')
          .addColumn('revoked_at_ms', 'bigint')
          .execute();
        // At most one active key, whatever processes race to rotate.
        await sql`CREATE UNIQUE INDEX qr_signing_keys_one_active ON qr_signing_keys (status) WHERE status = 'active'`.execute(db);
      },
    },
    '0004_idempotency_keys': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('idempotency_keys')
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('key', 'text', (c) => c.notNull())
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('status_code', 'integer')
          .addColumn('response_body', 'text')
          .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('idempotency_keys_pk', ['actor', 'key'])
          .execute();
      },
    },
    '0005_wallets_merchants_payments': walletsMerchantsPayments(kind),
    '0006_webhooks': webhooks(kind),
    '0007_bank_transfers': bankTransfers,
    '0008_risk_decisions': riskDecisions(),
    '0009_fraud_reports': fraudReports(),
    '0010_risk_labels': riskLabels(),
  };
}

export function migrationProvider(kind: StoreKind): MigrationProvider {
  return { getMigrations: async () => migrations(kind) };
}
