import { type Kysely, type Migration } from 'kysely';
import type { StoreKind } from '../store.js';

// Merchants' webhook endpoints and the log of every delivery attempt (docs/decisions/0009).
export function webhooks(kind: StoreKind): Migration {
  const big = 'bigint' as const;
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('merchant_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        // The signing secret, sealed with the master key; shown to the merchant once, at creation.
        .addColumn('secret_sealed', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()) // active | disabled
        .addColumn('created_at_ms', big, (c) => c.notNull())
        .addColumn('disabled_at_ms', big)
        .execute();
      await db.schema.createIndex('webhook_endpoints_merchant').on('webhook_endpoints').columns(['merchant_id', 'status']).execute();

      await db.schema
        .createTable('webhook_attempts')
        .addColumn('seq', kind === 'postgres' ? 'bigserial' : 'integer', (c) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('endpoint_id', 'text', (c) => c.notNull())
        .addColumn('attempt', 'integer', (c) => c.notNull())
        // null when no HTTP status came back (refused, timed out, reset).
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('at_ms', big, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_attempts_endpoint').on('webhook_attempts').columns(['endpoint_id', 'seq']).execute();
      await db.schema.createIndex('webhook_attempts_event').on('webhook_attempts').columns(['event_id']).execute();
    },
  };
}
