import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../schema.js';
import type { Store } from '../store.js';
import { PostgresLedgerIO } from './ledger-io.js';
import { pgTypes } from './types.js';

export function maskDatabaseUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]*)@/, '//$1:***@');
}

export function openPostgresStore(databaseUrl: string, options: { poolSize?: number; lockWaitMs?: number } = {}): Store {
  const pool = new pg.Pool({ connectionString: databaseUrl, types: pgTypes, max: options.poolSize ?? 10 });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use.
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const ledgerIO = new PostgresLedgerIO(databaseUrl, options.lockWaitMs);
  return {
    kind: 'postgres',
    db,
    ledgerIO,
    description: maskDatabaseUrl(databaseUrl),
    async close() {
      await ledgerIO.close();
      await db.destroy();
    },
  };
}
