import type { Kysely, Migration } from 'kysely';

// Labels: what analysts decided about held payments, fed back to the risk engine (issue 6). An
// append-only record, replayed into the features when the process starts.
export function riskLabels(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('risk_labels')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('verdict', 'text', (c) => c.notNull()) // fraud | legitimate
        .addColumn('payment_id', 'text')
        .addColumn('payer_id', 'text')
        .addColumn('payee_id', 'text')
        // For `fraud`: JSON arrays of what the analyst found to be the fraudster's.
        .addColumn('culprit_accounts', 'text', (c) => c.notNull())
        .addColumn('culprit_devices', 'text', (c) => c.notNull())
        .addColumn('culprit_codes', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('risk_labels_created').on('risk_labels').columns(['created_at_ms']).execute();
    },
  };
}
