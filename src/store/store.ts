import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { LedgerBatchIO } from './ledger/batch-io.js';

export type StoreKind = 'sqlite' | 'postgres';

/** An opened, migrated database: Kysely for queries plus the engine adapter of the ledger writer. */
export interface Store {
  readonly kind: StoreKind;
  readonly db: Kysely<Database>;
  readonly ledgerIO: LedgerBatchIO;
  /** Where it lives, with any password masked: for logs and the start banner. */
  readonly description: string;
  close(): Promise<void>;
}
