import pg from 'pg';
import { SaomaError } from '../../core/errors.js';
import type { LedgerChanges } from '../../core/ledger/index.js';
import {
  accountFromRow,
  pendingFromRow,
  transferFromRow,
  type LedgerBatchIO,
  type LedgerTx,
  type NewAudit,
  type NewJob,
} from '../ledger/batch-io.js';
import { pgTypes } from './types.js';

/** Advisory lock key held by the one ledger writer of a database ("saoma-ledger"). */
export const LEDGER_WRITER_LOCK_KEY = 0x7361_6f6d_61n;
const LOCK_RETRY_MS = 200;

/**
 * PostgreSQL adapter of the ledger writer: one dedicated connection that holds the writer's advisory
 * lock, so that among processes sharing a database only the holder writes. Every batch is a handful
 * of set-based statements (arrays through unnest), whatever its size.
 */
export class PostgresLedgerIO implements LedgerBatchIO {
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly lockWaitMs = 10_000,
  ) {}

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.connectionString, types: pgTypes });
    client.on('error', () => {
      // The session (and with it the lock) is gone: the next batch connects again.
      if (this.client === client) this.client = undefined;
    });
    try {
      await client.connect();
      // This session runs only key lookups and keyed updates of a few thousand rows. Once the
      // tables are large the planner prefers hashing whole tables for them (a batch took 3× as
      // long); nested loops over the primary keys are always right here.
      await client.query('SET enable_hashjoin = off; SET enable_mergejoin = off');
      const deadline = Date.now() + this.lockWaitMs;
      for (;;) {
        const { rows } = await client.query('SELECT pg_try_advisory_lock($1) AS locked', [LEDGER_WRITER_LOCK_KEY.toString()]);
        if (rows[0].locked === true) break;
        if (Date.now() >= deadline) {
          throw new SaomaError('LEDGER_UNAVAILABLE', 'another process holds the ledger writer lock of this database');
        }
        await new Promise((r) => setTimeout(r, LOCK_RETRY_MS));
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  async transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T> {
    const client = await this.connection();
    await client.query('BEGIN');
    try {
      const result = await fn(this.txFor(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        this.client = undefined;
        client.end().catch(() => undefined);
      });
      throw error;
    }
  }

  // unnest + join probes the primary key for each id; `id = ANY($1)` was planned as a full scan.
  private txFor(client: pg.Client): LedgerTx {
    return {
      lastTs: async () => BigInt((await client.query('SELECT COALESCE(max(ts), 0) AS ts FROM ledger_transfers')).rows[0].ts),
      loadAccounts: async (ids) =>
        ids.length === 0 ? [] : (await client.query('SELECT t.* FROM unnest($1::text[]) AS k(id) JOIN ledger_accounts t USING (id)', [ids])).rows.map(accountFromRow),
      loadTransfers: async (ids) =>
        ids.length === 0 ? [] : (await client.query('SELECT t.* FROM unnest($1::text[]) AS k(id) JOIN ledger_transfers t USING (id)', [ids])).rows.map(transferFromRow),
      loadPending: async (ids) =>
        ids.length === 0 ? [] : (await client.query('SELECT t.* FROM unnest($1::text[]) AS k(id) JOIN ledger_pending t USING (id)', [ids])).rows.map(pendingFromRow),
      write: (changes, jobs, audits, nowMs) => write(client, changes, jobs, audits, nowMs),
      query: async (q) => (await client.query(q.sql, (q.parameters as unknown[]).map((p) => (typeof p === 'bigint' ? p.toString() : p)))).rows,
      execute: async (statements) => {
        for (const q of statements) {
          await client.query(q.sql, (q.parameters as unknown[]).map((p) => (typeof p === 'bigint' ? p.toString() : p)));
        }
      },
    };
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }
}

const str = (v: bigint | number | null): string | null => (v === null ? null : v.toString());

async function write(client: pg.Client, changes: LedgerChanges, jobs: readonly NewJob[], audits: readonly NewAudit[], nowMs: bigint): Promise<void> {
  const created = changes.accountsCreated;
  if (created.length > 0) {
    await client.query(
      `INSERT INTO ledger_accounts (id, currency, code, flags, user_data, ts, debits_pending, debits_posted, credits_pending, credits_posted)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])`,
      [
        created.map((a) => a.id), created.map((a) => a.currency), created.map((a) => a.code), created.map((a) => a.flags),
        created.map((a) => a.userData), created.map((a) => str(a.ts)), created.map((a) => str(a.debitsPending)),
        created.map((a) => str(a.debitsPosted)), created.map((a) => str(a.creditsPending)), created.map((a) => str(a.creditsPosted)),
      ],
    );
  }
  const updated = changes.accountsUpdated;
  if (updated.length > 0) {
    await client.query(
      `UPDATE ledger_accounts a SET debits_pending = v.dp, debits_posted = v.dd, credits_pending = v.cp, credits_posted = v.cc
       FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS v(id, dp, dd, cp, cc)
       WHERE a.id = v.id`,
      [
        updated.map((a) => a.id), updated.map((a) => str(a.debitsPending)), updated.map((a) => str(a.debitsPosted)),
        updated.map((a) => str(a.creditsPending)), updated.map((a) => str(a.creditsPosted)),
      ],
    );
  }
  const transfers = changes.transfersCreated;
  if (transfers.length > 0) {
    await client.query(
      `INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount_minor, currency, flags, pending_id, timeout_ms, user_data, ts, pending_amount_minor)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::int[], $7::text[], $8::bigint[], $9::text[], $10::bigint[], $11::bigint[])`,
      [
        transfers.map((t) => t.id), transfers.map((t) => t.debitAccountId), transfers.map((t) => t.creditAccountId),
        transfers.map((t) => str(t.amountMinor)), transfers.map((t) => t.currency), transfers.map((t) => t.flags),
        transfers.map((t) => t.pendingId), transfers.map((t) => str(t.timeoutMs)), transfers.map((t) => t.userData),
        transfers.map((t) => str(t.ts)), transfers.map((t) => str(t.pendingAmountMinor)),
      ],
    );
  }
  const pending = changes.pendingUpserts;
  if (pending.length > 0) {
    await client.query(
      `INSERT INTO ledger_pending (id, status, expires_at_ts)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (id) DO UPDATE SET status = excluded.status`,
      [pending.map((p) => p.id), pending.map((p) => p.status), pending.map((p) => str(p.expiresAtTs))],
    );
  }
  if (jobs.length > 0) {
    await client.query(
      `INSERT INTO jobs (id, kind, payload, status, run_at_ms, attempts, created_at_ms, updated_at_ms)
       SELECT id, kind, payload, 'queued', run_at_ms, 0, $5, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS j(id, kind, payload, run_at_ms)
       ON CONFLICT (id) DO NOTHING`,
      [jobs.map((j) => j.id), jobs.map((j) => j.kind), jobs.map((j) => j.payload), jobs.map((j) => str(j.runAtMs)), str(nowMs)],
    );
  }
  if (audits.length > 0) {
    await client.query(
      `INSERT INTO audit_log (at_ms, actor, action, object_id, detail)
       SELECT $5, * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
      [audits.map((a) => a.actor), audits.map((a) => a.action), audits.map((a) => a.objectId), audits.map((a) => a.detail), str(nowMs)],
    );
  }
}
