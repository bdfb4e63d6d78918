import { sql, type Kysely } from 'kysely';
import { SaomaError } from '../core/errors.js';
import {
  AMOUNT_MINOR_MAX,
  BANK_REASON_CHARS_MAX,
  CN_PBOC_UTC_OFFSET_MS,
  SETTLEMENT_HOLD_ATTEMPTS_MAX,
  SETTLEMENT_MERCHANTS_PAGE_MAX,
} from '../core/limits.js';
import { policyDay } from '../core/policy/cn-pboc.js';
import { enqueueJob, type JobRecord, type NewJobInput } from '../store/jobs/runner.js';
import type { Database } from '../store/schema.js';
import type { LedgerService } from './ledger.js';
import { seal, unseal } from './secrets.js';
import { isValidBankAccount, maskBankAccount } from './bank/account.js';
import { BankTransferDriver } from './bank/driver.js';
import {
  OPEN_STATUSES,
  accountSealContext,
  bankTransferOf,
  inTransitOf,
  ledgerIdsOf,
  ownerAccountId,
  settlementId,
  type BankTransfer,
  type BankTransferRow,
  type BankTransferStatus,
} from './bank/transfers.js';

export const SETTLEMENT_RUN_JOB = 'settlement.run';

/** A settlement's bank-transfer status, or why there is none (`skipped`), or what stopped it (`error`). */
export type SettlementStatus = BankTransferStatus | 'skipped' | 'error';

export interface SettlementResult {
  readonly merchantId: string;
  readonly status: SettlementStatus;
  /** The bank transfer's id; null when skipped or stopped before it was written. */
  readonly settlementId: string | null;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly accountMasked: string | null;
  readonly bankReference: string | null;
  readonly reason: string | null;
}

export interface SettlementRun {
  readonly day: string;
  readonly results: SettlementResult[];
}

export interface SettlementServiceOptions {
  readonly db: Kysely<Database>;
  readonly ledger: LedgerService;
  readonly driver: BankTransferDriver;
  readonly masterKey: Buffer;
  readonly nowMs?: () => number;
}

interface MerchantToSettle {
  readonly id: string;
  readonly currency: string;
  readonly settlement_account_sealed: string | null;
}

/**
 * Pays each approved merchant's available balance to its settlement account, once per merchant
 * per policy day (docs/decisions/0011). The settlement's id follows from merchant and day, so a
 * second run of a day (the job again, or staff by hand) finds the first and does not pay twice.
 */
export class SettlementService {
  private readonly db: Kysely<Database>;
  private readonly ledger: LedgerService;
  private readonly driver: BankTransferDriver;
  private readonly masterKey: Buffer;
  private readonly nowMs: () => number;
  private readonly currenciesReady = new Set<string>();

  constructor(options: SettlementServiceOptions) {
    this.db = options.db;
    this.ledger = options.ledger;
    this.driver = options.driver;
    this.masterKey = options.masterKey;
    this.nowMs = options.nowMs ?? Date.now;
  }

  /**
   * Settles every approved merchant with a positive available balance; `day` (the policy day,
   * Asia/Shanghai) defaults to today and may not lie ahead. Merchants with nothing to settle are
   * left out of the results (a merchant settled earlier that day and paid since is listed with
   * that settlement). One merchant's failure is reported and does not stop the others.
   */
  async run(options: { day?: string | undefined } = {}): Promise<SettlementRun> {
    const today = policyDay(this.nowMs());
    const day = options.day ?? today;
    if (!isCalendarDay(day)) throw new SaomaError('INVALID_REQUEST', 'day is a calendar date YYYY-MM-DD', 'day');
    if (day > today) throw new SaomaError('INVALID_REQUEST', `day ${day} has not begun (today is ${today} in Asia/Shanghai)`, 'day');
    const results: SettlementResult[] = [];
    let after = '';
    for (;;) {
      // Only merchants with something to settle are read, however many merchants there are. The
      // join spells out merchantAccountId (`merchant:<id>:<currency>`) in SQL.
      const merchants = await this.db
        .selectFrom('merchants')
        .innerJoin('ledger_accounts', (join) => join.on(sql`ledger_accounts.id`, '=', sql`'merchant:' || merchants.id || ':' || merchants.currency`))
        .select(['merchants.id', 'merchants.currency', 'merchants.settlement_account_sealed'])
        .where('merchants.status', '=', 'approved')
        .where('merchants.id', '>', after)
        .where(sql<boolean>`ledger_accounts.credits_posted - ledger_accounts.debits_posted - ledger_accounts.debits_pending > 0`)
        .orderBy('merchants.id')
        .limit(SETTLEMENT_MERCHANTS_PAGE_MAX)
        .execute();
      for (const merchant of merchants) {
        try {
          const result = await this.settle(merchant, day);
          if (result) results.push(result);
        } catch (error) {
          if (error instanceof SaomaError && error.code === 'INVARIANT_VIOLATED') throw error;
          results.push({ ...nothing(merchant, 'error'), reason: String((error as Error)?.message ?? error).slice(0, BANK_REASON_CHARS_MAX) });
        }
      }
      if (merchants.length < SETTLEMENT_MERCHANTS_PAGE_MAX) break;
      after = merchants.at(-1)!.id;
    }
    return { day, results };
  }

  /** Enqueues today's nightly run (idempotent: one job per day, each run enqueues the next). */
  async scheduleDaily(): Promise<void> {
    const now = this.nowMs();
    await enqueueJob(this.db, settlementJob(policyDay(now)), now);
  }

  /** The `settlement.run` job: the next day's run is enqueued first, so the chain survives a failing day. */
  async handleJob(job: JobRecord): Promise<void> {
    const { day } = job.payload as { day: string };
    await enqueueJob(this.db, settlementJob(nextDay(day)), this.nowMs());
    const run = await this.run({ day });
    const failed = run.results.filter((r) => r.status === 'error');
    // Retrying the run is safe (settled merchants are found by id) and picks up the failed ones.
    if (failed.length > 0) throw new Error(`settlement of ${day}: ${failed.length} merchant(s) failed, first ${failed[0]!.merchantId}: ${failed[0]!.reason}`);
  }

  private async settle(merchant: MerchantToSettle, day: string): Promise<SettlementResult | undefined> {
    const id = settlementId(merchant.id, day);
    for (let attempt = 1; ; attempt++) {
      const existing = await this.driver.load(id);
      if (existing) {
        const transfer = (OPEN_STATUSES as readonly string[]).includes(existing.status) ? await this.driver.driveNow(id) : bankTransferOf(existing);
        return resultOf(transfer);
      }
      const balance = await this.ledger.reader.account(ownerAccountId('merchant', merchant.id, merchant.currency));
      if (!balance) return undefined;
      const available = balance.creditsPosted - balance.debitsPosted - balance.debitsPending;
      if (available <= 0n) return undefined;
      // Beyond one transfer's limit, the rest waits for the next day.
      const amountMinor = available < BigInt(AMOUNT_MINOR_MAX) ? available : BigInt(AMOUNT_MINOR_MAX);
      if (merchant.settlement_account_sealed === null) return { ...nothing(merchant, 'skipped'), amountMinor, reason: 'no_settlement_account' };
      const account = Buffer.from(unseal(this.masterKey, merchant.settlement_account_sealed, `merchant:${merchant.id}:settlement`)).toString('utf8');
      if (!isValidBankAccount(account)) return { ...nothing(merchant, 'skipped'), amountMinor, reason: 'settlement_account_invalid' };
      await this.platformAccounts(merchant.currency);
      const now = this.nowMs();
      const row: BankTransferRow = {
        id,
        kind: 'settlement',
        owner_kind: 'merchant',
        owner_id: merchant.id,
        amount_minor: amountMinor,
        currency: merchant.currency,
        account_sealed: seal(this.masterKey, Buffer.from(account, 'utf8'), accountSealContext(id)),
        account_masked: maskBankAccount(account),
        status: 'created',
        bank_reference: null,
        reason: null,
        created_at_ms: BigInt(now),
        updated_at_ms: BigInt(now),
      };
      const [result] = await this.ledger.createTransfers(
        [{ id: ledgerIdsOf(id).hold, debitAccountId: balance.id, creditAccountId: inTransitOf(merchant.currency), amountMinor, currency: merchant.currency }],
        {
          audit: { actor: 'system:settlement', action: 'bank.settlement.hold', objectId: id, detail: { merchantId: merchant.id, day } },
          effects: ([r]) =>
            r === 'ok' || r === 'exists'
              ? [this.db.insertInto('bank_transfers').values(row).onConflict((oc) => oc.column('id').doNothing()).compile(), this.driver.driveJobQuery(id, now)]
              : [],
        },
      );
      if (result === 'ok' || result === 'exists') return resultOf(await this.driver.driveNow(id));
      // Another run of the same day held first (its row is committed), or a refund or payment moved
      // the balance since it was read: look again.
      if ((result === 'exists_with_different_amount' || result === 'exceeds_credits') && attempt < SETTLEMENT_HOLD_ATTEMPTS_MAX) continue;
      throw new Error(`the settlement hold of merchant ${merchant.id} was refused: ${result}`);
    }
  }

  private async platformAccounts(currency: string): Promise<void> {
    if (this.currenciesReady.has(currency)) return;
    await this.ledger.ensurePlatformAccounts(currency);
    this.currenciesReady.add(currency);
  }
}

export function settlementJob(day: string): NewJobInput {
  return { id: `${SETTLEMENT_RUN_JOB}:${day}`, kind: SETTLEMENT_RUN_JOB, payload: { day }, runAtMs: policyDayEndMs(day) };
}

/** The instant a policy day (Asia/Shanghai, UTC+8) ends. */
export function policyDayEndMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) + DAY_MS - CN_PBOC_UTC_OFFSET_MS;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

function isCalendarDay(day: string): boolean {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(day)) return false;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === day;
}

function nothing(merchant: MerchantToSettle, status: 'skipped' | 'error'): SettlementResult {
  return { merchantId: merchant.id, status, settlementId: null, amountMinor: 0n, currency: merchant.currency, accountMasked: null, bankReference: null, reason: null };
}

function resultOf(t: BankTransfer): SettlementResult {
  return {
    merchantId: t.ownerId,
    status: t.status,
    settlementId: t.id,
    amountMinor: t.amountMinor,
    currency: t.currency,
    accountMasked: t.accountMasked,
    bankReference: t.bankReference,
    reason: t.reason,
  };
}
