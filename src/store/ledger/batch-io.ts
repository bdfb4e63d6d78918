import type { CompiledQuery } from 'kysely';
import type { SaomaError } from '../../core/errors.js';
import type { Account, LedgerChanges, PendingState, Transfer, TransferResult } from '../../core/ledger/index.js';

/** Statements (compiled by Kysely for the store's dialect) to run in the writer's transaction,
 * chosen from the request's results. */
export type SideEffects = (results: readonly TransferResult[]) => readonly CompiledQuery[];

/** A precondition read in the writer's transaction just before a request applies: a SELECT that
 * must return a row, else the request is refused with `error` and nothing of it is written. */
export interface Guard {
  readonly query: CompiledQuery;
  readonly error: SaomaError;
}

/** A durable job row written in the same transaction as the ledger change that needs it. */
export interface NewJob {
  readonly id: string;
  readonly kind: string;
  readonly payload: string;
  readonly runAtMs: bigint;
}

/** An audit-trail row written in the same transaction as the ledger change it records. */
export interface NewAudit {
  readonly actor: string;
  readonly action: string;
  readonly objectId: string | null;
  readonly detail: string;
}

/** What the ledger writer needs from an engine inside one write transaction. */
export interface LedgerTx {
  /** The highest transfer timestamp stored: read in every batch, so timestamps keep increasing
   * across restarts and across processes that took over the writer role. */
  lastTs(): Promise<bigint>;
  loadAccounts(ids: readonly string[]): Promise<Account[]>;
  loadTransfers(ids: readonly string[]): Promise<Transfer[]>;
  loadPending(ids: readonly string[]): Promise<PendingState[]>;
  write(changes: LedgerChanges, jobs: readonly NewJob[], audits: readonly NewAudit[], nowMs: bigint): Promise<void>;
  /** Runs compiled statements in the transaction, in order. */
  execute(statements: readonly CompiledQuery[]): Promise<void>;
  /** Runs one read in the transaction and returns its rows. */
  query(statement: CompiledQuery): Promise<unknown[]>;
}

/** Engine adapter for the ledger writer: one write transaction at a time, committed durably. */
export interface LedgerBatchIO {
  /** Runs `fn` in one transaction; commits when it returns, rolls back when it throws. */
  transaction<T>(fn: (tx: LedgerTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type Row = Record<string, unknown>;

function big(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' || typeof v === 'string') return BigInt(v);
  throw new TypeError(`expected an integer, got ${typeof v}`);
}

export function accountFromRow(r: Row): Account {
  return {
    id: r.id as string,
    currency: r.currency as string,
    code: r.code as string,
    flags: Number(r.flags),
    userData: (r.user_data as string | null) ?? null,
    ts: big(r.ts),
    debitsPending: big(r.debits_pending),
    debitsPosted: big(r.debits_posted),
    creditsPending: big(r.credits_pending),
    creditsPosted: big(r.credits_posted),
  };
}

export function transferFromRow(r: Row): Transfer {
  return {
    id: r.id as string,
    debitAccountId: r.debit_account_id as string,
    creditAccountId: r.credit_account_id as string,
    amountMinor: big(r.amount_minor),
    currency: r.currency as string,
    flags: Number(r.flags),
    pendingId: (r.pending_id as string | null) ?? null,
    timeoutMs: Number(r.timeout_ms),
    userData: (r.user_data as string | null) ?? null,
    ts: big(r.ts),
    pendingAmountMinor: big(r.pending_amount_minor),
  };
}

export function pendingFromRow(r: Row): PendingState {
  return {
    id: r.id as string,
    status: r.status as PendingState['status'],
    expiresAtTs: r.expires_at_ts === null || r.expires_at_ts === undefined ? null : big(r.expires_at_ts),
  };
}
