import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
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

type Row = Record<string, unknown>;

/**
 * SQLite adapter of the ledger writer. It holds Kysely's single connection for the whole batch, so
 * no other statement interleaves, and uses prepared statements directly: per-row statements cost
 * microseconds in better-sqlite3, far less than building SQL text for every batch.
 */
export class SqliteLedgerIO implements LedgerBatchIO {
  private prepared: ReturnType<SqliteLedgerIO['prepare']> | undefined;

  constructor(
    private readonly raw: BetterSqlite3.Database,
    private readonly db: Kysely<Database>,
  ) {}

  // Prepared on first use: the tables exist only once migrations have run.
  private get stmts() {
    this.prepared ??= this.prepare();
    return this.prepared;
  }

  private prepare() {
    const raw = this.raw;
    return {
      account: raw.prepare('SELECT * FROM ledger_accounts WHERE id = ?'),
      transfer: raw.prepare('SELECT * FROM ledger_transfers WHERE id = ?'),
      pending: raw.prepare('SELECT * FROM ledger_pending WHERE id = ?'),
      insertAccount: raw.prepare(
        `INSERT INTO ledger_accounts (id, currency, code, flags, user_data, ts, debits_pending, debits_posted, credits_pending, credits_posted)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateAccount: raw.prepare(
        'UPDATE ledger_accounts SET debits_pending = ?, debits_posted = ?, credits_pending = ?, credits_posted = ? WHERE id = ?',
      ),
      insertTransfer: raw.prepare(
        `INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, amount_minor, currency, flags, pending_id, timeout_ms, user_data, ts, pending_amount_minor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      upsertPending: raw.prepare(
        `INSERT INTO ledger_pending (id, status, expires_at_ts) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status`,
      ),
      insertJob: raw.prepare(
        `INSERT INTO jobs (id, kind, payload, status, run_at_ms, attempts, created_at_ms, updated_at_ms)
         VALUES (?, ?, ?, 'queued', ?, 0, ?, ?) ON CONFLICT (id) DO NOTHING`,
      ),
      insertAudit: raw.prepare('INSERT INTO audit_log (at_ms, actor, action, object_id, detail) VALUES (?, ?, ?, ?, ?)'),
      begin: raw.prepare('BEGIN IMMEDIATE'),
      commit: raw.prepare('COMMIT'),
      rollback: raw.prepare('ROLLBACK'),
      lastTs: raw.prepare('SELECT coalesce(max(ts), 0) AS ts FROM ledger_transfers'),
    };
  }

  async transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T> {
    return this.db.connection().execute(async () => {
      this.stmts.begin.run();
      try {
        const result = await fn(this.tx);
        this.stmts.commit.run();
        return result;
      } catch (error) {
        if (this.raw.inTransaction) this.stmts.rollback.run();
        throw error;
      }
    });
  }

  private readonly tx: LedgerTx = {
    lastTs: async () => BigInt((this.stmts.lastTs.get() as { ts: bigint | number }).ts),
    loadAccounts: async (ids) => this.loadEach(this.stmts.account, ids).map(accountFromRow),
    loadTransfers: async (ids) => this.loadEach(this.stmts.transfer, ids).map(transferFromRow),
    loadPending: async (ids) => this.loadEach(this.stmts.pending, ids).map(pendingFromRow),
    write: async (changes, jobs, audits, nowMs) => this.write(changes, jobs, audits, nowMs),
    execute: async (statements) => {
      for (const q of statements) this.statement(q.sql).run(...(q.parameters as unknown[]));
    },
    query: async (q) => this.statement(q.sql).all(...(q.parameters as unknown[])),
  };

  private readonly statementCache = new Map<string, BetterSqlite3.Statement>();
  private statement(text: string): BetterSqlite3.Statement {
    let stmt = this.statementCache.get(text);
    if (!stmt) {
      stmt = this.raw.prepare(text);
      if (this.statementCache.size < 256) this.statementCache.set(text, stmt);
    }
    return stmt;
  }

  private loadEach(stmt: BetterSqlite3.Statement, ids: readonly string[]): Row[] {
    const rows: Row[] = [];
    for (const id of ids) {
      const row = stmt.get(id) as Row | undefined;
      if (row) rows.push(row);
    }
    return rows;
  }

  private write(changes: LedgerChanges, jobs: readonly NewJob[], audits: readonly NewAudit[], nowMs: bigint): void {
    const s = this.stmts;
    for (const a of changes.accountsCreated) {
      s.insertAccount.run(a.id, a.currency, a.code, a.flags, a.userData, a.ts, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted);
    }
    for (const a of changes.accountsUpdated) {
      s.updateAccount.run(a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted, a.id);
    }
    for (const t of changes.transfersCreated) {
      s.insertTransfer.run(
        t.id, t.debitAccountId, t.creditAccountId, t.amountMinor, t.currency, t.flags,
        t.pendingId, t.timeoutMs, t.userData, t.ts, t.pendingAmountMinor,
      );
    }
    for (const p of changes.pendingUpserts) s.upsertPending.run(p.id, p.status, p.expiresAtTs);
    for (const j of jobs) s.insertJob.run(j.id, j.kind, j.payload, j.runAtMs, nowMs, nowMs);
    for (const a of audits) s.insertAudit.run(nowMs, a.actor, a.action, a.objectId, a.detail);
  }

  async close(): Promise<void> {}
}
