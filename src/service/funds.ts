import type { Kysely } from 'kysely';
import { SaomaError } from '../core/errors.js';
import { LIST_PAGE_SIZE_MAX, TOPUP_MINOR_MAX, WITHDRAWAL_MINOR_MAX } from '../core/limits.js';
import { isKnownCurrency } from '../core/money/index.js';
import { enqueueJob } from '../store/jobs/runner.js';
import type { Database } from '../store/schema.js';
import type { LedgerService } from './ledger.js';
import { seal } from './secrets.js';
import { checkBankAccount, maskBankAccount } from './bank/account.js';
import { BankTransferDriver } from './bank/driver.js';
import {
  accountSealContext,
  bankTransferOf,
  inTransitOf,
  ledgerIdsOf,
  newBankTransferId,
  ownerAccountId,
  type BankTransfer,
  type BankTransferKind,
  type BankTransferRow,
} from './bank/transfers.js';

export interface FundsRequest {
  readonly consumerId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** Digits only; sealed at rest, masked everywhere else. */
  readonly bankAccount: string;
}

export interface BankTransferPage {
  readonly items: BankTransfer[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface FundsServiceOptions {
  readonly db: Kysely<Database>;
  readonly ledger: LedgerService;
  readonly driver: BankTransferDriver;
  readonly masterKey: Buffer;
  readonly nowMs?: () => number;
}

/**
 * A consumer's money in and out of the platform: top-ups pull from their bank account into the
 * wallet, withdrawals pay the wallet out to it (docs/decisions/0011). Each request writes its
 * row (and the job that finishes it) before the bank is called, then drives it as far as it
 * goes; the job finishes what a transport failure or a crash left open.
 */
export class FundsService {
  private readonly db: Kysely<Database>;
  private readonly ledger: LedgerService;
  private readonly driver: BankTransferDriver;
  private readonly masterKey: Buffer;
  private readonly nowMs: () => number;
  private readonly currenciesReady = new Set<string>();

  constructor(options: FundsServiceOptions) {
    this.db = options.db;
    this.ledger = options.ledger;
    this.driver = options.driver;
    this.masterKey = options.masterKey;
    this.nowMs = options.nowMs ?? Date.now;
  }

  async topUp(request: FundsRequest): Promise<BankTransfer> {
    const created = await this.createTopUp(request);
    return this.driver.driveNow(created.id);
  }

  async withdraw(request: FundsRequest): Promise<BankTransfer> {
    const created = await this.createWithdrawal(request);
    return this.driver.driveNow(created.id);
  }

  /** The first step of a top-up alone: its row and job, no bank call yet. */
  async createTopUp(request: FundsRequest): Promise<BankTransfer> {
    await this.check(request, TOPUP_MINOR_MAX);
    const now = this.nowMs();
    const row = this.newRow('topup', request, now);
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('bank_transfers').values(row).execute();
      await enqueueJob(tx, BankTransferDriver.driveJob(row.id, now), now);
    });
    return bankTransferOf(row);
  }

  /**
   * The first step of a withdrawal alone: the money leaves the wallet for `in_transit` at once,
   * in the commit that writes the row and its job, so it cannot be spent twice while the bank
   * pays it out.
   */
  async createWithdrawal(request: FundsRequest): Promise<BankTransfer> {
    await this.check(request, WITHDRAWAL_MINOR_MAX);
    const now = this.nowMs();
    const row = this.newRow('withdrawal', request, now);
    const [result] = await this.ledger.createTransfers(
      [
        {
          id: ledgerIdsOf(row.id).hold,
          debitAccountId: ownerAccountId('consumer', request.consumerId, request.currency),
          creditAccountId: inTransitOf(request.currency),
          amountMinor: request.amountMinor,
          currency: request.currency,
        },
      ],
      {
        audit: { actor: `consumer:${request.consumerId}`, action: 'bank.withdrawal.hold', objectId: row.id },
        effects: ([r]) =>
          r === 'ok' || r === 'exists'
            ? [this.db.insertInto('bank_transfers').values(row).onConflict((oc) => oc.column('id').doNothing()).compile(), this.driver.driveJobQuery(row.id, now)]
            : [],
      },
    );
    if (result === 'exceeds_credits') throw new SaomaError('INSUFFICIENT_FUNDS', 'the wallet balance does not cover this withdrawal', 'amountMinor');
    if (result !== 'ok' && result !== 'exists') throw new SaomaError('INVARIANT_VIOLATED', `withdrawal hold refused by the ledger: ${result}`);
    return bankTransferOf(row);
  }

  /** One of the consumer's own top-ups or withdrawals; anyone else's answers as if it did not exist. */
  async get(consumerId: string, id: string): Promise<BankTransfer> {
    const row = await this.driver.load(id);
    if (!row || row.owner_kind !== 'consumer' || row.owner_id !== consumerId) {
      throw new SaomaError('BANK_TRANSFER_NOT_FOUND', 'no such bank transfer', 'id');
    }
    return bankTransferOf(row);
  }

  /** The consumer's top-ups and withdrawals, newest first. */
  async list(consumerId: string, page: { limit: number; cursor?: string | undefined }): Promise<BankTransferPage> {
    if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > LIST_PAGE_SIZE_MAX) {
      throw new SaomaError('INVALID_REQUEST', `limit is 1 to ${LIST_PAGE_SIZE_MAX}`, 'limit');
    }
    let query = this.db
      .selectFrom('bank_transfers')
      .selectAll()
      .where('owner_kind', '=', 'consumer')
      .where('owner_id', '=', consumerId);
    if (page.cursor !== undefined) {
      const after = decodeCursor(page.cursor);
      query = query.where((eb) =>
        eb.or([eb('created_at_ms', '<', after.createdAtMs), eb.and([eb('created_at_ms', '=', after.createdAtMs), eb('id', '<', after.id)])]),
      );
    }
    const rows = await query.orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(page.limit + 1).execute();
    const items = rows.slice(0, page.limit).map(bankTransferOf);
    const last = items.at(-1);
    return { items, nextCursor: rows.length > page.limit && last ? encodeCursor(last) : null };
  }

  private async check(request: FundsRequest, amountMinorMax: number): Promise<void> {
    if (request.amountMinor <= 0n || request.amountMinor > BigInt(amountMinorMax)) {
      throw new SaomaError('INVALID_REQUEST', `amountMinor is 1 to ${amountMinorMax}`, 'amountMinor');
    }
    if (!isKnownCurrency(request.currency)) throw new SaomaError('INVALID_REQUEST', `unknown currency ${request.currency}`, 'currency');
    checkBankAccount(request.bankAccount, 'bankAccount');
    const wallet = await this.ledger.reader.account(ownerAccountId('consumer', request.consumerId, request.currency));
    if (!wallet || wallet.code !== 'wallet') throw new SaomaError('INVALID_REQUEST', `this account has no ${request.currency} wallet`, 'currency');
    // Booking a bank answer must never fail for want of the reserve or in-transit account.
    if (!this.currenciesReady.has(request.currency)) {
      await this.ledger.ensurePlatformAccounts(request.currency);
      this.currenciesReady.add(request.currency);
    }
  }

  private newRow(kind: BankTransferKind, request: FundsRequest, now: number): BankTransferRow {
    const id = newBankTransferId();
    return {
      id,
      kind,
      owner_kind: 'consumer',
      owner_id: request.consumerId,
      amount_minor: request.amountMinor,
      currency: request.currency,
      account_sealed: seal(this.masterKey, Buffer.from(request.bankAccount, 'utf8'), accountSealContext(id)),
      account_masked: maskBankAccount(request.bankAccount),
      status: 'created',
      bank_reference: null,
      reason: null,
      created_at_ms: BigInt(now),
      updated_at_ms: BigInt(now),
    };
  }
}

function encodeCursor(t: BankTransfer): string {
  return Buffer.from(`${t.createdAtMs}:${t.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAtMs: bigint; id: string } {
  const match = /^([0-9]{1,16}):([A-Za-z0-9_.:-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new SaomaError('INVALID_CURSOR', undefined, 'cursor');
  return { createdAtMs: BigInt(match[1]!), id: match[2]! };
}
