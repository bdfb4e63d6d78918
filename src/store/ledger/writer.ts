import { SaomaError } from '../../core/errors.js';
import {
  LedgerWorkingSet,
  TRANSFER_FLAGS,
  createAccounts,
  createTransfers,
  type Account,
  type AccountInput,
  type AccountResult,
  type LedgerClock,
  type PendingState,
  type Transfer,
  type TransferInput,
  type TransferResult,
} from '../../core/ledger/index.js';
import { LEDGER_BATCH_ITEMS_MAX, LEDGER_COMMIT_ITEMS_MAX, LEDGER_QUEUE_ITEMS_MAX } from '../../core/limits.js';
import type { Guard, LedgerBatchIO, NewAudit, NewJob, SideEffects } from './batch-io.js';

/** Who asked, for the audit trail; written in the transaction of the change, with its results. */
export interface AuditNote {
  readonly actor: string;
  readonly action: string;
  readonly objectId?: string | null;
  readonly detail?: Record<string, unknown>;
}

export const EXPIRE_PENDING_JOB = 'ledger.expire_pending';

type Request =
  | { kind: 'accounts'; items: readonly AccountInput[]; audit?: AuditNote | undefined; resolve: (r: AccountResult[]) => void; reject: (e: unknown) => void }
  | {
      kind: 'transfers';
      items: readonly TransferInput[];
      internal: boolean;
      audit?: AuditNote | undefined;
      effects?: SideEffects | undefined;
      guards?: readonly Guard[] | undefined;
      resolve: (r: TransferResult[]) => void;
      reject: (e: unknown) => void;
    };

export interface LedgerWriterOptions {
  readonly queueItemsMax?: number;
  readonly commitItemsMax?: number;
  /** Milliseconds since the epoch; injectable so tests can move time. */
  readonly nowMs?: () => number;
}

export interface LedgerWriterStats {
  commits: number;
  itemsCommitted: number;
  rejectedOverloaded: number;
}

/**
 * The one ledger writer of a database. Concurrent requests queue here and are folded into a single
 * transaction (group commit): one durable commit pays for thousands of transfers, and a hot account
 * is read and written once per batch instead of once per transfer. Each caller gets its own
 * results, only after the commit. The queue is bounded: past it, callers are refused at once.
 */
export class LedgerWriter {
  private readonly queue: Request[] = [];
  private queuedItems = 0;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly queueItemsMax: number;
  private readonly commitItemsMax: number;
  private readonly nowMs: () => number;
  readonly stats: LedgerWriterStats = { commits: 0, itemsCommitted: 0, rejectedOverloaded: 0 };

  constructor(
    private readonly io: LedgerBatchIO,
    options: LedgerWriterOptions = {},
  ) {
    this.queueItemsMax = options.queueItemsMax ?? LEDGER_QUEUE_ITEMS_MAX;
    this.commitItemsMax = options.commitItemsMax ?? LEDGER_COMMIT_ITEMS_MAX;
    this.nowMs = options.nowMs ?? Date.now;
  }

  createAccounts(items: readonly AccountInput[], options: { audit?: AuditNote } = {}): Promise<AccountResult[]> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'accounts', items, audit: options.audit, resolve, reject }));
  }

  /**
   * `effects` writes the rows that belong with the transfers (a payment's record, its outbox event,
   * a job) in the same transaction, from the results: money and its record commit together or not
   * at all. Its statements must not fail (insert-if-absent, conditional updates): a failure rolls
   * back the whole batch.
   */
  createTransfers(
    items: readonly TransferInput[],
    options: { internal?: boolean; audit?: AuditNote; effects?: SideEffects; guards?: readonly Guard[] } = {},
  ): Promise<TransferResult[]> {
    return new Promise((resolve, reject) =>
      this.enqueue({
        kind: 'transfers',
        items,
        internal: options.internal === true,
        audit: options.audit,
        effects: options.effects,
        guards: options.guards,
        resolve,
        reject,
      }),
    );
  }

  /** Waits for queued work to commit, then refuses new work. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
  }

  private enqueue(request: Request): void {
    if (this.closed) {
      request.reject(new SaomaError('LEDGER_UNAVAILABLE', 'the ledger writer is shutting down'));
      return;
    }
    if (request.items.length > LEDGER_BATCH_ITEMS_MAX) {
      request.reject(new SaomaError('BATCH_TOO_LARGE', `at most ${LEDGER_BATCH_ITEMS_MAX} items per request`));
      return;
    }
    // A request without transfers still runs when it carries guards or effects (closing an order).
    if (request.items.length === 0 && (request.kind === 'accounts' || (!request.effects && !request.guards))) {
      request.resolve([]);
      return;
    }
    if (this.queuedItems + request.items.length > this.queueItemsMax) {
      this.stats.rejectedOverloaded++;
      request.reject(new SaomaError('LEDGER_OVERLOADED'));
      return;
    }
    this.queue.push(request);
    this.queuedItems += request.items.length;
    this.flushing ??= this.flushLoop();
  }

  private async flushLoop(): Promise<void> {
    try {
      // Let the requests of this tick join the first batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.drainQueue();
    } finally {
      this.flushing = undefined;
      // A request may have arrived after the queue was last seen empty: never leave it unserved.
      if (this.queue.length > 0) this.flushing = this.flushLoop();
    }
  }

  private async drainQueue(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: Request[] = [];
      let items = 0;
      while (this.queue.length > 0 && (batch.length === 0 || items + this.queue[0]!.items.length <= this.commitItemsMax)) {
        const next = this.queue.shift()!;
        batch.push(next);
        items += next.items.length;
      }
      this.queuedItems -= items;
      await this.commitBatch(batch, items);
    }
  }

  private async commitBatch(batch: Request[], items: number): Promise<void> {
    let outcomes: Array<AccountResult[] | TransferResult[] | SaomaError>;
    try {
      outcomes = await this.io.transaction(async (tx) => {
        let nextTs = await tx.lastTs();
        const nowMs = BigInt(this.nowMs());
        const nowTs = nowMs * 1000n;
        const clock: LedgerClock = {
          nowTs,
          nextTs: () => (nextTs = nextTs + 1n > nowTs ? nextTs + 1n : nowTs),
        };
        const { accountIds, transferIds } = idsOf(batch);
        const transfers = await tx.loadTransfers([...transferIds]);
        const transferMap = new Map<string, Transfer>(transfers.map((t) => [t.id, t]));
        for (const t of transfers) {
          if ((t.flags & TRANSFER_FLAGS.PENDING) !== 0) {
            accountIds.add(t.debitAccountId);
            accountIds.add(t.creditAccountId);
          }
        }
        const pendingIds = transfers.filter((t) => (t.flags & TRANSFER_FLAGS.PENDING) !== 0).map((t) => t.id);
        const accounts = await tx.loadAccounts([...accountIds]);
        const pending = await tx.loadPending(pendingIds);
        const accountMap = new Map<string, Account>(accounts.map((a) => [a.id, a]));
        const pendingMap = new Map<string, PendingState>(pending.map((p) => [p.id, p]));
        const ws = new LedgerWorkingSet({
          account: (id) => accountMap.get(id),
          transfer: (id) => transferMap.get(id),
          pending: (id) => pendingMap.get(id),
        });
        // Per request, in queue order: its guards (read in this transaction), its transfers, its
        // effects. So a guard sees every effect of the requests before it: two requests racing for
        // one order, challenge or counter are decided here, one after the other.
        const results: Array<AccountResult[] | TransferResult[] | SaomaError> = [];
        for (const request of batch) {
          if (request.kind === 'accounts') {
            results.push(createAccounts(ws, request.items, clock));
            continue;
          }
          const failed = await firstFailedGuard(tx, request.guards);
          if (failed) {
            results.push(failed);
            continue;
          }
          const transferResults = createTransfers(ws, request.items, clock, { allowInternal: request.internal });
          results.push(transferResults);
          if (request.effects) {
            const statements = request.effects(transferResults);
            if (statements.length > 0) await tx.execute(statements);
          }
        }
        const changes = ws.changes();
        await tx.write(changes, expiryJobs(changes.transfersCreated), auditRows(batch, results), nowMs);
        return results;
      });
    } catch (error) {
      // Nothing of the batch was written: every caller may retry with the same ids.
      const failure =
        error instanceof SaomaError ? error : new SaomaError('LEDGER_UNAVAILABLE', `ledger write failed: ${(error as Error).message}`);
      for (const request of batch) request.reject(failure);
      return;
    }
    this.stats.commits++;
    this.stats.itemsCommitted += items;
    batch.forEach((request, i) => {
      const outcome = outcomes[i];
      if (outcome instanceof SaomaError) request.reject(outcome);
      else (request.resolve as (r: unknown) => void)(outcome);
    });
  }
}

function idsOf(batch: readonly Request[]): { accountIds: Set<string>; transferIds: Set<string> } {
  const accountIds = new Set<string>();
  const transferIds = new Set<string>();
  for (const request of batch) {
    if (request.kind === 'accounts') {
      for (const a of request.items) accountIds.add(a.id);
      continue;
    }
    for (const t of request.items) {
      transferIds.add(t.id);
      if (t.pendingId !== undefined) transferIds.add(t.pendingId);
      if (t.debitAccountId !== undefined) accountIds.add(t.debitAccountId);
      if (t.creditAccountId !== undefined) accountIds.add(t.creditAccountId);
    }
  }
  return { accountIds, transferIds };
}

function expiryJobs(created: readonly Transfer[]): NewJob[] {
  const jobs: NewJob[] = [];
  for (const t of created) {
    if ((t.flags & TRANSFER_FLAGS.PENDING) === 0 || t.timeoutMs === 0) continue;
    jobs.push({
      id: `${EXPIRE_PENDING_JOB}:${t.id}`,
      kind: EXPIRE_PENDING_JOB,
      payload: JSON.stringify({ pendingId: t.id }),
      runAtMs: (t.ts + 999n) / 1000n + BigInt(t.timeoutMs),
    });
  }
  return jobs;
}

async function firstFailedGuard(tx: { query(q: Guard['query']): Promise<unknown[]> }, guards: readonly Guard[] | undefined): Promise<SaomaError | undefined> {
  for (const guard of guards ?? []) {
    if ((await tx.query(guard.query)).length === 0) return guard.error;
  }
  return undefined;
}

function auditRows(batch: readonly Request[], results: ReadonlyArray<readonly string[] | SaomaError>): NewAudit[] {
  const rows: NewAudit[] = [];
  batch.forEach((request, i) => {
    const result = results[i]!;
    if (!request.audit || result instanceof SaomaError) return;
    const counts: Record<string, number> = {};
    for (const r of result) counts[r] = (counts[r] ?? 0) + 1;
    rows.push({
      actor: request.audit.actor,
      action: request.audit.action,
      objectId: request.audit.objectId ?? null,
      detail: JSON.stringify({ ...request.audit.detail, items: request.items.length, firstId: request.items[0]?.id ?? null, results: counts }),
    });
  });
  return rows;
}
