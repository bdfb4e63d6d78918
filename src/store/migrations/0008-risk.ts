import type { Kysely, Migration } from 'kysely';

// Every risk decision, with its rule hits and score, kept for analysts and as labels.
export function riskDecisions(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('risk_decisions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payment_id', 'text')
        .addColumn('challenge_id', 'text')
        .addColumn('payer_consumer_id', 'text', (c) => c.notNull())
        .addColumn('payee_id', 'text', (c) => c.notNull())
        .addColumn('amount_minor', 'bigint', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        // What became of it: completed, challenged (refused until a step-up), held, declined.
        .addColumn('effect', 'text', (c) => c.notNull())
        .addColumn('score', 'integer', (c) => c.notNull())
        .addColumn('hits', 'text', (c) => c.notNull())
        .addColumn('reasons', 'text', (c) => c.notNull())
        .addColumn('rule_set_version', 'text', (c) => c.notNull())
        // The features the decision saw (JSON): a candidate rule set is dry-run against them.
        .addColumn('features', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
        .addColumn('reviewed_by', 'text')
        .addColumn('review_outcome', 'text')
        .addColumn('reviewed_at_ms', 'bigint')
        .execute();
      await db.schema.createIndex('risk_decisions_payment').on('risk_decisions').column('payment_id').execute();
      await db.schema.createIndex('risk_decisions_effect').on('risk_decisions').columns(['effect', 'created_at_ms']).execute();
      // The last change of credentials (PIN reset, a device added by re-verification): a step-up
      // shortly after one proves little (decision 0015).
      await db.schema.alterTable('consumers').addColumn('credentials_changed_at_ms', 'bigint').execute();
    },
  };
}
