import path from 'node:path';
import { Migrator } from 'kysely';
import { migrationProvider } from './migrations/index.js';
import { openPostgresStore } from './postgres/open.js';
import { openSqliteStore } from './sqlite/open.js';
import type { Store } from './store.js';

export interface OpenStoreOptions {
  /** postgres://… selects PostgreSQL; otherwise SQLite under dataDir. */
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly migrate?: boolean;
}

export function sqliteFileIn(dataDir: string): string {
  return path.join(dataDir, 'saoma.sqlite');
}

/** Opens the configured database and brings its schema up to date. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const url = options.databaseUrl;
  const store =
    url && /^postgres(ql)?:\/\//.test(url) ? openPostgresStore(url) : openSqliteStore(sqliteFileIn(options.dataDir ?? './data'));
  if (options.migrate !== false) {
    try {
      await migrateStore(store);
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

export async function migrateStore(store: Store): Promise<string[]> {
  const migrator = new Migrator({ db: store.db, provider: migrationProvider(store.kind) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
