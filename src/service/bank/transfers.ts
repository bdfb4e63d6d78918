import { createHash, randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { platformAccountId } from '../../core/ledger/index.js';
import type { BankTransfersTable } from '../../store/schema.js';
import { merchantAccountId, walletAccountId } from '../accounts.js';

export type BankTransferKind = 'topup' | 'withdrawal' | 'settlement';
export type BankTransferOwnerKind = 'consumer' | 'merchant';
/** created → bank_sent → succeeded | declined | failed (docs/decisions/0011). */
export type BankTransferStatus = 'created' | 'bank_sent' | 'succeeded' | 'declined' | 'failed';

export const BANK_TRANSFER_STATUSES: readonly BankTransferStatus[] = ['created', 'bank_sent', 'succeeded', 'declined', 'failed'];
/** Statuses that may still change: the bank has not answered, or its answer is not yet booked. */
export const OPEN_STATUSES: readonly BankTransferStatus[] = ['created', 'bank_sent'];

export type BankTransferRow = Selectable<BankTransfersTable>;

/** A bank transfer as every caller sees it: the account only masked. */
export interface BankTransfer {
  readonly id: string;
  readonly kind: BankTransferKind;
  readonly ownerKind: BankTransferOwnerKind;
  readonly ownerId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly accountMasked: string;
  readonly status: BankTransferStatus;
  readonly bankReference: string | null;
  readonly reason: string | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

export function bankTransferOf(row: BankTransferRow): BankTransfer {
  return {
    id: row.id,
    kind: row.kind as BankTransferKind,
    ownerKind: row.owner_kind as BankTransferOwnerKind,
    ownerId: row.owner_id,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    accountMasked: row.account_masked,
    status: row.status as BankTransferStatus,
    bankReference: row.bank_reference,
    reason: row.reason,
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
  };
}

/** Random ids for top-ups and withdrawals: 128 bits, so nobody can guess another's. */
export function newBankTransferId(): string {
  return `bt_${randomBytes(16).toString('base64url')}`;
}

/**
 * One settlement per merchant per policy day: the id follows from both, so a second run of the
 * same day finds the first one's row and ledger transfers instead of making new ones. The
 * merchant id is hashed to keep the id (and the ledger ids built on it) within 64 characters.
 */
export function settlementId(merchantId: string, day: string): string {
  const digest = createHash('sha256').update(`${merchantId}\n${day}`).digest('hex').slice(0, 24);
  return `stl_${day.replaceAll('-', '')}_${digest}`;
}

/** The policy day a settlement id was made for. */
export function settlementDayOf(id: string): string {
  const match = /^stl_([0-9]{4})([0-9]{2})([0-9]{2})_/.exec(id);
  if (!match) throw new Error(`${id} is not a settlement id`);
  return `${match[1]}-${match[2]}-${match[3]}`;
}

/**
 * The ledger transfers of one bank transfer, named after its id: a second run of any step asks
 * for the same ids and the ledger answers `exists`, so money never moves twice.
 */
export function ledgerIdsOf(id: string) {
  return {
    /** top-up: reserve → wallet, once the bank pulled the money. */
    credit: `${id}:in`,
    /** withdrawal or settlement: owner → in transit, before the bank is asked to pay. */
    hold: `${id}:hold`,
    /** paid out: in transit → reserve (the money left the custody account). */
    paid: `${id}:paid`,
    /** declined: in transit → owner (the money comes back). */
    returned: `${id}:return`,
  };
}

/** The owner's ledger account: a consumer's wallet or a merchant's balance. */
export function ownerAccountId(ownerKind: BankTransferOwnerKind, ownerId: string, currency: string): string {
  return ownerKind === 'consumer' ? walletAccountId(ownerId, currency) : merchantAccountId(ownerId, currency);
}

export const reserveOf = (currency: string) => platformAccountId('reserve', currency);
export const inTransitOf = (currency: string) => platformAccountId('in_transit', currency);

/** Sealed account numbers are bound to their row: a sealed value copied to another row does not open. */
export function accountSealContext(id: string): string {
  return `bank_transfer:${id}`;
}
