import { type Kysely, type Migration } from 'kysely';
import type { StoreKind } from '../store.js';

// Consumers, devices, sessions, merchants, codes, orders, payments, refunds, the outbox.
// Money columns are bigint minor units; times are milliseconds since the epoch.
export function walletsMerchantsPayments(kind: StoreKind): Migration {
  const big = 'bigint' as const;
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('consumers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // Phone (E.164) or e-mail (lower case): an identifier, never an authenticator.
        .addColumn('identifier', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('account_class', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        // Identity (sandbox provider): sealed with the master key, shown masked only.
        .addColumn('identity_name_sealed', 'text')
        .addColumn('identity_number_sealed', 'text')
        .addColumn('identity_number_masked', 'text')
        .addColumn('identity_verified_at_ms', big)
        .addColumn('pin_hash', 'text')
        .addColumn('pin_failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('pin_locked_until_ms', big)
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('consumer_id', 'text', (c) => c.notNull())
        // The index the payment code carries (7 digits).
        .addColumn('device_index', 'integer', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull()) // p256 | passkey
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('credential_id', 'text', (c) => c.unique())
        .addColumn('sign_count', big, (c) => c.notNull().defaultTo(0))
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()) // active | pending_approval | revoked
        // Large payments are refused before this time (a device added by re-verification cools off).
        .addColumn('trusted_from_ms', big, (c) => c.notNull())
        .addColumn('pay_code_key_sealed', 'text', (c) => c.notNull())
        .addColumn('pay_code_last_step', big)
        .addColumn('pay_code_failed_consecutive', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('devices_consumer').on('devices').column('consumer_id').execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('consumer_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('expires_at_ms', big, (c) => c.notNull())
        .addColumn('revoked_at_ms', big)
        .execute();

      await db.schema
        .createTable('challenges')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull()) // login | payment | approve_device | confirm
        .addColumn('consumer_id', 'text')
        .addColumn('device_id', 'text')
        // The exact text the device signs, and what it stands for (JSON).
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('expires_at_ms', big, (c) => c.notNull())
        .addColumn('used_at_ms', big)
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('merchants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull()) // business | personal
        .addColumn('legal_name', 'text', (c) => c.notNull())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('licence_number', 'text')
        .addColumn('mcc', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('city', 'text', (c) => c.notNull())
        .addColumn('country_code', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('settlement_account_sealed', 'text')
        .addColumn('settlement_account_masked', 'text')
        .addColumn('status', 'text', (c) => c.notNull()) // pending | approved | suspended
        .addColumn('owner_consumer_id', 'text', (c) => c.unique())
        .addColumn('fee_rate_bp', 'integer', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('reviewed_at_ms', big)
        .execute();

      await db.schema
        .createTable('merchant_api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull()) // owner | manager | cashier
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('last4', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('revoked_at_ms', big)
        .execute();
      await db.schema.createIndex('merchant_api_keys_merchant').on('merchant_api_keys').column('merchant_id').execute();

      await db.schema
        .createTable('tills')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('tills_merchant').on('tills').column('merchant_id').execute();

      await db.schema
        .createTable('orders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('reference', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()) // open | paid | closed
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('expires_at_ms', big, (c) => c.notNull())
        .addColumn('payment_id', 'text')
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('updated_at_ms', big, (c) => c.notNull())
        .addUniqueConstraint('orders_merchant_reference', ['merchant_id', 'reference'])
        .execute();

      await db.schema
        .createTable('payments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull()) // merchant | p2p
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('merchant_id', 'text')
        .addColumn('payer_consumer_id', 'text', (c) => c.notNull())
        .addColumn('payee_consumer_id', 'text')
        .addColumn('device_id', 'text')
        .addColumn('order_id', 'text')
        .addColumn('challenge_id', 'text', (c) => c.unique())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('fee_minor', big, (c) => c.notNull())
        .addColumn('refunded_minor', big, (c) => c.notNull())
        .addColumn('fee_refunded_minor', big, (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()) // awaiting_confirmation | succeeded | voided | expired | refunded
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('compensation_promise', 'integer', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('counters', 'text', (c) => c.notNull()) // the spend counters it holds (JSON)
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('updated_at_ms', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('payments_merchant').on('payments').columns(['merchant_id', 'created_at_ms']).execute();
      await db.schema.createIndex('payments_payer').on('payments').columns(['payer_consumer_id', 'created_at_ms']).execute();
      await db.schema.createIndex('payments_payee').on('payments').columns(['payee_consumer_id', 'created_at_ms']).execute();

      await db.schema
        .createTable('refunds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payment_id', 'text', (c) => c.notNull())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('amount_minor', big, (c) => c.notNull())
        .addColumn('fee_refund_minor', big, (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addUniqueConstraint('refunds_payment_seq', ['payment_id', 'seq'])
        .execute();

      // Policy usage: one row per (consumer, period, kind); reserved before money moves.
      await db.schema
        .createTable('spend_counters')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('used_minor', big, (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .execute();

      // Failed and total payment-code verifications, for the attempt limits (decision 0007).
      await db.schema
        .createTable('payment_code_attempts')
        .addColumn('id', 'integer', (c) => (kind === 'postgres' ? c.primaryKey().generatedAlwaysAsIdentity() : c.primaryKey().autoIncrement()))
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('failed', 'integer', (c) => c.notNull())
        .addColumn('at_ms', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('payment_code_attempts_merchant').on('payment_code_attempts').columns(['merchant_id', 'at_ms']).execute();
      await db.schema.createIndex('payment_code_attempts_at').on('payment_code_attempts').columns(['failed', 'at_ms']).execute();

      // Transactional outbox: written with the change it announces; delivered by jobs.
      await db.schema
        .createTable('outbox_events')
        .addColumn('seq', kind === 'postgres' ? 'bigserial' : 'integer', (c) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('merchant_id', 'text')
        .addColumn('consumer_id', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('outbox_events_merchant').on('outbox_events').columns(['merchant_id', 'seq']).execute();
      await db.schema.createIndex('outbox_events_consumer').on('outbox_events').columns(['consumer_id', 'seq']).execute();

    },
  };
}
