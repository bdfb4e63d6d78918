import { openPlatform, type Platform } from '../service/platform.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { readConfig } from './config.js';

/** Runs a one-shot command against the configured store, closing it whatever happens. */
export async function withStore<T>(fn: (store: Store) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const config = readConfig();
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, ...options });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The same with the whole platform (ledger, QR keys), without the job runner's loop. */
export async function withPlatform<T>(fn: (platform: Platform) => Promise<T>): Promise<T> {
  const config = readConfig();
  const platform = await openPlatform({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}
