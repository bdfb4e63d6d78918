import type { CompiledQuery, Kysely } from 'kysely';
import { SaomaError } from '../../core/errors.js';
import type { TransferInput } from '../../core/ledger/index.js';
import { BANK_DRIVE_DELAY_MS, BANK_REASON_CHARS_MAX } from '../../core/limits.js';
import { enqueueJobsQuery, type JobRecord, type NewJobInput } from '../../store/jobs/runner.js';
import type { Database } from '../../store/schema.js';
import type { LedgerService } from '../ledger.js';
import { outboxEventQuery } from '../outbox.js';
import { unseal } from '../secrets.js';
import type { BankConnector, BankInstruction, BankOutcome } from './connector.js';
import {
  OPEN_STATUSES,
  accountSealContext,
  bankTransferOf,
  inTransitOf,
  ledgerIdsOf,
  ownerAccountId,
  reserveOf,
  settlementDayOf,
  type BankTransfer,
  type BankTransferRow,
  type BankTransferStatus,
} from './transfers.js';

export const BANK_DRIVE_JOB = 'bank.drive';

export interface BankDriverOptions {
  readonly db: Kysely<Database>;
  readonly ledger: LedgerService;
  readonly bank: BankConnector;
  readonly masterKey: Buffer;
  readonly nowMs?: () => number;
  /** Told about failures the inline path leaves to the job (transport errors, an overloaded ledger). */
  readonly onDeferred?: (id: string, error: unknown) => void;
}

/**
 * Moves a bank transfer from its row to its end: asks the bank (outside any database
 * transaction), then books the answer in the ledger with the status change in the same commit.
 * Every step may run again (after a crash, or from the job and a request at once): the bank
 * answers a reference once, the ledger transfer ids follow from the row id, and status updates
 * apply only to open rows.
 */
export class BankTransferDriver {
  private readonly db: Kysely<Database>;
  private readonly ledger: LedgerService;
  private readonly bank: BankConnector;
  private readonly masterKey: Buffer;
  private readonly nowMs: () => number;
  private readonly onDeferred: ((id: string, error: unknown) => void) | undefined;

  constructor(options: BankDriverOptions) {
    this.db = options.db;
    this.ledger = options.ledger;
    this.bank = options.bank;
    this.masterKey = options.masterKey;
    this.nowMs = options.nowMs ?? Date.now;
    this.onDeferred = options.onDeferred;
  }

  /** The job that finishes a transfer if its request does not: written with the row, in its transaction. */
  static driveJob(id: string, nowMs: number): NewJobInput {
    return { id: `${BANK_DRIVE_JOB}:${id}`, kind: BANK_DRIVE_JOB, payload: { id }, runAtMs: nowMs + BANK_DRIVE_DELAY_MS };
  }

  /** The same job as a statement for the ledger's `effects` (enqueueJob, compiled; kept if present). */
  driveJobQuery(id: string, nowMs: number): CompiledQuery {
    const job = BankTransferDriver.driveJob(id, nowMs);
    return enqueueJobsQuery(this.db, [job], nowMs).compile();
  }

  async load(id: string): Promise<BankTransferRow | undefined> {
    return this.db.selectFrom('bank_transfers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async get(id: string): Promise<BankTransfer> {
    const row = await this.load(id);
    if (!row) throw new SaomaError('BANK_TRANSFER_NOT_FOUND', `no bank transfer ${id}`, 'id');
    return bankTransferOf(row);
  }

  /** Both steps; what the job runs. A transport failure throws, so the job retries with backoff. */
  async drive(id: string): Promise<BankTransfer> {
    const outcome = await this.send(id);
    return outcome === undefined ? this.get(id) : this.record(id, outcome);
  }

  /**
   * What a request runs right after writing the row: the caller gets the transfer as far as it
   * got. Failures that a retry can mend stay with the job; a broken invariant does not.
   */
  async driveNow(id: string): Promise<BankTransfer> {
    try {
      return await this.drive(id);
    } catch (error) {
      if (error instanceof SaomaError && error.code === 'INVARIANT_VIOLATED') throw error;
      this.onDeferred?.(id, error);
      return this.get(id);
    }
  }

  /** The `bank.drive` job handler. */
  async handleJob(job: JobRecord): Promise<void> {
    const { id } = job.payload as { id: string };
    await this.drive(id);
  }

  /**
   * Step one: marks the row `bank_sent`, then asks the bank. Answers undefined when the row is no
   * longer open. Throws what the connector throws (a transport failure: nothing is known).
   */
  async send(id: string): Promise<BankOutcome | undefined> {
    const row = await this.load(id);
    if (!row) throw new SaomaError('BANK_TRANSFER_NOT_FOUND', `no bank transfer ${id}`, 'id');
    if (!isOpen(row.status)) return undefined;
    if (row.status === 'created') {
      await this.db
        .updateTable('bank_transfers')
        .set({ status: 'bank_sent', updated_at_ms: BigInt(this.nowMs()) })
        .where('id', '=', id)
        .where('status', '=', 'created')
        .execute();
    }
    const instruction: BankInstruction = {
      reference: row.id,
      account: Buffer.from(unseal(this.masterKey, row.account_sealed, accountSealContext(row.id))).toString('utf8'),
      amountMinor: BigInt(row.amount_minor),
      currency: row.currency,
    };
    return row.kind === 'topup' ? this.bank.pull(instruction) : this.bank.push(instruction);
  }

  /**
   * Step two: books the bank's answer. The ledger transfer and the status change commit together;
   * a decline of a top-up moves no money and only changes the status.
   */
  async record(id: string, outcome: BankOutcome): Promise<BankTransfer> {
    const row = await this.load(id);
    if (!row) throw new SaomaError('BANK_TRANSFER_NOT_FOUND', `no bank transfer ${id}`, 'id');
    if (!isOpen(row.status)) return bankTransferOf(row);
    const transfer = bankTransferOf(row);
    const status: BankTransferStatus = outcome.status === 'succeeded' ? 'succeeded' : 'declined';
    const reason = outcome.reason === undefined ? null : outcome.reason.slice(0, BANK_REASON_CHARS_MAX);
    const entry = this.ledgerEntry(transfer, status);
    if (!entry) {
      await this.finish(id, status, outcome.bankReference, reason).execute();
      return this.get(id);
    }
    const [result] = await this.ledger.createTransfers([entry], {
      audit: { actor: 'system:bank', action: `bank.${transfer.kind}.${status}`, objectId: id, detail: { bankReference: outcome.bankReference } },
      effects: ([r]) =>
        r === 'ok' || r === 'exists'
          ? [this.finish(id, status, outcome.bankReference, reason).compile(), ...this.events(transfer, status, outcome.bankReference)]
          : [this.finish(id, 'failed', outcome.bankReference, `ledger: ${r}`).compile()],
    });
    if (result !== 'ok' && result !== 'exists') {
      // The bank moved money the books cannot follow: stop loudly, the row says `failed`.
      throw new SaomaError('INVARIANT_VIOLATED', `bank transfer ${id}: the ledger refused ${entry.id}: ${result}`);
    }
    return this.get(id);
  }

  private ledgerEntry(t: BankTransfer, status: 'succeeded' | 'declined'): TransferInput | undefined {
    const ids = ledgerIdsOf(t.id);
    const owner = ownerAccountId(t.ownerKind, t.ownerId, t.currency);
    const base = { amountMinor: t.amountMinor, currency: t.currency };
    if (t.kind === 'topup') {
      return status === 'succeeded' ? { ...base, id: ids.credit, debitAccountId: reserveOf(t.currency), creditAccountId: owner } : undefined;
    }
    return status === 'succeeded'
      ? { ...base, id: ids.paid, debitAccountId: inTransitOf(t.currency), creditAccountId: reserveOf(t.currency) }
      : { ...base, id: ids.returned, debitAccountId: inTransitOf(t.currency), creditAccountId: owner };
  }

  private finish(id: string, status: BankTransferStatus, bankReference: string, reason: string | null) {
    return this.db
      .updateTable('bank_transfers')
      .set({ status, bank_reference: bankReference, reason, updated_at_ms: BigInt(this.nowMs()) })
      .where('id', '=', id)
      .where('status', 'in', [...OPEN_STATUSES]);
  }

  /** Outbox events announced with the change (merchants hear of their settlements). */
  private events(t: BankTransfer, status: BankTransferStatus, bankReference: string): CompiledQuery[] {
    if (t.kind !== 'settlement' || status !== 'succeeded') return [];
    return [
      outboxEventQuery(this.db, {
        id: `evt_settlement_paid_${t.id}`,
        type: 'settlement.paid',
        merchantId: t.ownerId,
        consumerId: null,
        data: {
          settlementId: t.id,
          merchantId: t.ownerId,
          day: settlementDayOf(t.id),
          amountMinor: t.amountMinor,
          currency: t.currency,
          accountMasked: t.accountMasked,
          bankReference,
        },
        createdAtMs: this.nowMs(),
      }).compile(),
    ];
  }
}

function isOpen(status: string): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}
