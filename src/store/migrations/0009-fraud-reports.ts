import type { Kysely, Migration } from 'kysely';

// Fraud reports filed from the wallet ("this wasn't me" on a payment, "report this code"): a clean
// record with its evidence and a status, for the console now and the claims process later.
export function fraudReports(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('fraud_reports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull()) // payment | code
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull()) // open | investigating | closed
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('reporter_consumer_id', 'text', (c) => c.notNull())
        .addColumn('payment_id', 'text')
        .addColumn('merchant_id', 'text')
        // The account that received the money (a merchant or, for P2P, a consumer).
        .addColumn('payee_id', 'text')
        .addColumn('payee_name', 'text')
        .addColumn('amount_minor', 'bigint')
        .addColumn('currency', 'text')
        .addColumn('code_payload', 'text')
        .addColumn('code_verdict', 'text')
        // What was known when it was filed (JSON): the payment, its risk decisions, the device.
        .addColumn('evidence', 'text', (c) => c.notNull())
        .addColumn('resolution', 'text')
        .addColumn('handled_by', 'text')
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      // One report per payment and reporter; a second tap finds the first.
      await db.schema.createIndex('fraud_reports_payment_reporter').on('fraud_reports').columns(['payment_id', 'reporter_consumer_id']).unique().execute();
      await db.schema.createIndex('fraud_reports_status').on('fraud_reports').columns(['status', 'created_at_ms']).execute();
      await db.schema.createIndex('fraud_reports_reporter').on('fraud_reports').columns(['reporter_consumer_id', 'created_at_ms']).execute();
    },
  };
}
