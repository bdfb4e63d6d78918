import { SaomaError } from '../core/errors.js';
import {
  ACCOUNT_TYPES,
  PLATFORM_ACCOUNT_TYPES,
  TRANSFER_FLAGS,
  expiryTransferId,
  platformAccountId,
  verifyLedger,
  type Account,
  type AccountResult,
  type AccountType,
  type Balances,
  type LedgerVerdict,
  type Transfer,
  type TransferInput,
  type TransferResult,
} from '../core/ledger/index.js';
import type { LedgerReader, TransferPage } from '../store/ledger/reader.js';
import type { AuditNote, LedgerWriter } from '../store/ledger/writer.js';
import type { Guard, SideEffects } from '../store/ledger/batch-io.js';
import type { JobRecord } from '../store/jobs/runner.js';

export interface NewAccount {
  readonly id: string;
  readonly type: AccountType;
  readonly currency: string;
  readonly userData?: string | null | undefined;
}

/** The ledger use-cases: every caller (staff API, payments, jobs) goes through here. */
export class LedgerService {
  constructor(
    private readonly writer: LedgerWriter,
    readonly reader: LedgerReader,
  ) {}

  /**
   * Accounts take their flags from the chart of accounts, never from the caller. The platform's
   * own accounts have fixed ids (`platform:<type>:<currency>`), so there is one reserve per
   * currency and nobody can pass off a wallet as the reserve.
   */
  async createAccounts(accounts: readonly NewAccount[], options: { audit?: AuditNote } = {}): Promise<AccountResult[]> {
    accounts.forEach((a, i) => {
      const isPlatformType = (PLATFORM_ACCOUNT_TYPES as readonly string[]).includes(a.type);
      const fixedId = isPlatformType ? platformAccountId(a.type as (typeof PLATFORM_ACCOUNT_TYPES)[number], a.currency) : undefined;
      if (fixedId !== undefined && a.id !== fixedId) {
        throw new SaomaError('INVALID_REQUEST', `a ${a.type} account of ${a.currency} must have the id ${fixedId}`, `accounts.${i}.id`);
      }
      if (fixedId === undefined && a.id.startsWith('platform:')) {
        throw new SaomaError('INVALID_REQUEST', 'ids starting with "platform:" are reserved for the platform accounts', `accounts.${i}.id`);
      }
    });
    return this.writer.createAccounts(
      accounts.map((a) => ({ id: a.id, currency: a.currency, code: a.type, flags: ACCOUNT_TYPES[a.type].flags, userData: a.userData ?? null })),
      options,
    );
  }

  /** `guards` and `effects`: see LedgerWriter.createTransfers (preconditions and rows written with the money). */
  createTransfers(
    transfers: readonly TransferInput[],
    options: { audit?: AuditNote; guards?: readonly Guard[]; effects?: SideEffects } = {},
  ): Promise<TransferResult[]> {
    return this.writer.createTransfers(transfers, options);
  }

  /** The platform's own accounts for a currency: reserve, fees, compensation fund, suspense, in transit. */
  async ensurePlatformAccounts(currency: string): Promise<void> {
    const results = await this.createAccounts(
      PLATFORM_ACCOUNT_TYPES.map((type) => ({ id: platformAccountId(type, currency), type, currency })),
    );
    const bad = results.find((r) => r !== 'ok' && r !== 'exists');
    if (bad) throw new SaomaError('INVARIANT_VIOLATED', `platform accounts for ${currency} could not be created: ${bad}`);
  }

  async account(id: string): Promise<Account> {
    const account = await this.reader.account(id);
    if (!account) throw new SaomaError('ACCOUNT_NOT_FOUND', `no ledger account ${id}`, 'id');
    return account;
  }

  async transfer(id: string): Promise<Transfer> {
    const transfer = await this.reader.transfer(id);
    if (!transfer) throw new SaomaError('TRANSFER_NOT_FOUND', `no ledger transfer ${id}`, 'id');
    return transfer;
  }

  async accountTransfers(accountId: string, limit: number, beforeTs: bigint | null): Promise<TransferPage> {
    await this.account(accountId);
    return this.reader.accountTransfers(accountId, limit, beforeTs);
  }

  async balancesAsOf(accountId: string, atMs: number): Promise<Balances> {
    await this.account(accountId);
    return this.reader.balancesAsOf(accountId, BigInt(atMs) * 1000n + 999n);
  }

  async verify(): Promise<LedgerVerdict> {
    return verifyLedger(await this.reader.audit());
  }

  /** Job handler: release a pending transfer whose timeout passed (idempotent). */
  async expirePending(job: JobRecord): Promise<void> {
    const { pendingId } = job.payload as { pendingId: string };
    const [result] = await this.writer.createTransfers(
      [{ id: expiryTransferId(pendingId), pendingId, flags: TRANSFER_FLAGS.EXPIRE_PENDING }],
      { internal: true },
    );
    switch (result) {
      case 'ok':
      case 'exists':
      case 'pending_transfer_already_posted':
      case 'pending_transfer_already_voided':
      case 'pending_transfer_expired':
        return;
      default:
        throw new Error(`expiring ${pendingId}: ${result}`);
    }
  }
}
