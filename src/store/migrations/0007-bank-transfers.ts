import { type Kysely, type Migration } from 'kysely';

// Money moving between bank accounts and the platform (top-ups, withdrawals, merchant
// settlements), one row per movement. The row is written before the bank is called; its status
// changes commit with the ledger transfers they stand for (docs/decisions/0011).
export const bankTransfers: Migration = {
  async up(db: Kysely<any>) {
    const big = 'bigint' as const;
    await db.schema
      .createTable('bank_transfers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull()) // topup | withdrawal | settlement
      .addColumn('owner_kind', 'text', (c) => c.notNull()) // consumer | merchant
      .addColumn('owner_id', 'text', (c) => c.notNull())
      .addColumn('amount_minor', big, (c) => c.notNull())
      .addColumn('currency', 'text', (c) => c.notNull())
      // The counterparty's account number, sealed with the master key (context bank_transfer:<id>).
      .addColumn('account_sealed', 'text', (c) => c.notNull())
      .addColumn('account_masked', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull()) // created | bank_sent | succeeded | declined | failed
      .addColumn('bank_reference', 'text')
      .addColumn('reason', 'text')
      .addColumn('created_at_ms', big, (c) => c.notNull())
      .addColumn('updated_at_ms', big, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('bank_transfers_owner').on('bank_transfers').columns(['owner_kind', 'owner_id', 'created_at_ms', 'id']).execute();
    await db.schema.createIndex('bank_transfers_status').on('bank_transfers').columns(['status', 'updated_at_ms']).execute();
  },
};
