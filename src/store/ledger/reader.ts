import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { TRANSFER_FLAGS, type Account, type AccountAudit, type Balances, type Transfer } from '../../core/ledger/index.js';
import { accountFromRow, transferFromRow } from './batch-io.js';

const PENDING = TRANSFER_FLAGS.PENDING;
const RELEASES = TRANSFER_FLAGS.POST_PENDING | TRANSFER_FLAGS.VOID_PENDING | TRANSFER_FLAGS.EXPIRE_PENDING;
const NOT_POSTING = TRANSFER_FLAGS.PENDING | TRANSFER_FLAGS.VOID_PENDING | TRANSFER_FLAGS.EXPIRE_PENDING;

// How each transfer moves its accounts' balances, as SQL over one transfer row.
const PENDING_DELTA = sql<bigint>`CASE WHEN (flags & ${sql.lit(PENDING)}) <> 0 THEN amount_minor
  WHEN (flags & ${sql.lit(RELEASES)}) <> 0 THEN -pending_amount_minor ELSE 0 END`;
const POSTED_DELTA = sql<bigint>`CASE WHEN (flags & ${sql.lit(NOT_POSTING)}) = 0 THEN amount_minor ELSE 0 END`;

const ZERO: Balances = { debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 0n };
const big = (v: unknown): bigint => (v === null || v === undefined ? 0n : BigInt(v as bigint));

/** Bound parameters per statement stay far below SQLite's limit (32,766) and PostgreSQL's (65,535). */
const IDS_PER_QUERY_MAX = 1000;

function chunks(ids: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY_MAX) out.push(ids.slice(i, i + IDS_PER_QUERY_MAX));
  return out;
}

export interface TransferPage {
  readonly transfers: Transfer[];
  /** Pass back to get the next (older) page; null on the last page. */
  readonly nextCursorTs: bigint | null;
}

/** Read-side queries of the ledger; all writes go through the LedgerWriter. */
export class LedgerReader {
  constructor(private readonly db: Kysely<Database>) {}

  async accounts(ids: readonly string[]): Promise<Account[]> {
    const out: Account[] = [];
    for (const chunk of chunks(ids)) {
      const rows = await this.db.selectFrom('ledger_accounts').selectAll().where('id', 'in', chunk).execute();
      out.push(...rows.map(accountFromRow));
    }
    return out;
  }

  async account(id: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('ledger_accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? accountFromRow(row) : undefined;
  }

  async transfer(id: string): Promise<Transfer | undefined> {
    const row = await this.db.selectFrom('ledger_transfers').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? transferFromRow(row) : undefined;
  }

  async transfers(ids: readonly string[]): Promise<Transfer[]> {
    const out: Transfer[] = [];
    for (const chunk of chunks(ids)) {
      const rows = await this.db.selectFrom('ledger_transfers').selectAll().where('id', 'in', chunk).execute();
      out.push(...rows.map(transferFromRow));
    }
    return out;
  }

  /** An account's transfers, newest first, `limit` per page. */
  async accountTransfers(accountId: string, limit: number, beforeTs: bigint | null): Promise<TransferPage> {
    let query = this.db
      .selectFrom('ledger_transfers')
      .selectAll()
      .where((eb) => eb.or([eb('debit_account_id', '=', accountId), eb('credit_account_id', '=', accountId)]));
    if (beforeTs !== null) query = query.where('ts', '<', beforeTs);
    const rows = await query.orderBy('ts', 'desc').limit(limit + 1).execute();
    const transfers = rows.slice(0, limit).map(transferFromRow);
    return { transfers, nextCursorTs: rows.length > limit ? transfers[transfers.length - 1]!.ts : null };
  }

  /** An account's balances as they stood at `atTs` (inclusive), recomputed from its transfers. */
  async balancesAsOf(accountId: string, atTs: bigint): Promise<Balances> {
    const debit = await this.db
      .selectFrom('ledger_transfers')
      .select([sql<bigint>`SUM(${PENDING_DELTA})`.as('pending'), sql<bigint>`SUM(${POSTED_DELTA})`.as('posted')])
      .where('debit_account_id', '=', accountId)
      .where('ts', '<=', atTs)
      .executeTakeFirst();
    const credit = await this.db
      .selectFrom('ledger_transfers')
      .select([sql<bigint>`SUM(${PENDING_DELTA})`.as('pending'), sql<bigint>`SUM(${POSTED_DELTA})`.as('posted')])
      .where('credit_account_id', '=', accountId)
      .where('ts', '<=', atTs)
      .executeTakeFirst();
    return {
      debitsPending: big(debit?.pending),
      debitsPosted: big(debit?.posted),
      creditsPending: big(credit?.pending),
      creditsPosted: big(credit?.posted),
    };
  }

  /** Every account with its stored balances and those its transfers add up to. */
  async audit(): Promise<AccountAudit[]> {
    const accounts = (await this.db.selectFrom('ledger_accounts').selectAll().orderBy('id').execute()).map(accountFromRow);
    const sums = async (side: 'debit_account_id' | 'credit_account_id') => {
      const rows = await this.db
        .selectFrom('ledger_transfers')
        .select([sql.ref<string>(side).as('id'), sql<bigint>`SUM(${PENDING_DELTA})`.as('pending'), sql<bigint>`SUM(${POSTED_DELTA})`.as('posted')])
        .groupBy(side)
        .execute();
      return new Map(rows.map((r) => [r.id, { pending: big(r.pending), posted: big(r.posted) }]));
    };
    const debits = await sums('debit_account_id');
    const credits = await sums('credit_account_id');
    const audits: AccountAudit[] = accounts.map((a) => {
      const d = debits.get(a.id);
      const c = credits.get(a.id);
      debits.delete(a.id);
      credits.delete(a.id);
      return {
        id: a.id,
        currency: a.currency,
        code: a.code,
        flags: a.flags,
        stored: a,
        recomputed: d || c ? { debitsPending: d?.pending ?? 0n, debitsPosted: d?.posted ?? 0n, creditsPending: c?.pending ?? 0n, creditsPosted: c?.posted ?? 0n } : ZERO,
      };
    });
    // Transfers that name an account which does not exist are a violation too.
    for (const id of new Set([...debits.keys(), ...credits.keys()])) {
      const d = debits.get(id);
      const c = credits.get(id);
      audits.push({
        id,
        currency: '???',
        code: 'missing_account',
        flags: 0,
        stored: ZERO,
        recomputed: { debitsPending: d?.pending ?? 0n, debitsPosted: d?.posted ?? 0n, creditsPending: c?.pending ?? 0n, creditsPosted: c?.posted ?? 0n },
      });
    }
    return audits;
  }
}
