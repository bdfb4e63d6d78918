import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { OpenStoreOptions } from '../../src/store/open.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@localhost:5432/postgres';

export interface TestDatabase {
  readonly options: OpenStoreOptions;
  /** For child processes: the environment that selects this database. */
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

export type StoreName = 'sqlite' | 'postgres';
export const STORE_NAMES: readonly StoreName[] = ['sqlite', 'postgres'];

/** A fresh, empty database of the given engine, removed again by drop(). */
export async function createTestDatabase(name: StoreName): Promise<TestDatabase> {
  if (name === 'sqlite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saoma-test-'));
    return {
      options: { dataDir },
      env: { SAOMA_DATA_DIR: dataDir, DATABASE_URL: '' },
      async drop() {
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const dbName = `saoma_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not answering at ${TEST_DATABASE_URL} (${(error as Error).message}). ` +
        `Start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_URL.`,
    );
  }
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  // Files the platform keeps beside the database (the master key) go to a directory of the test's own.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saoma-test-pg-'));
  return {
    options: { databaseUrl, dataDir },
    env: { DATABASE_URL: databaseUrl, SAOMA_DATA_DIR: dataDir },
    async drop() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    },
  };
}
