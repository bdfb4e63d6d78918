// The ledger's data model, after TigerBeetle: accounts hold four balance columns, transfers are
// immutable and carry client-chosen ids. Amounts are bigint minor units; timestamps (`ts`) are
// unique, strictly increasing microseconds since the Unix epoch, assigned by the writer.

export const ACCOUNT_FLAGS = {
  /** A liability (wallet, merchant, fee ...): may not go below zero. */
  DEBITS_MUST_NOT_EXCEED_CREDITS: 1,
  /** An asset (the reserve): may not go below zero from its side. */
  CREDITS_MUST_NOT_EXCEED_DEBITS: 2,
} as const;

export const TRANSFER_FLAGS = {
  /** Linked with the next transfer of the same request: all or none. */
  LINKED: 1,
  /** First phase of a two-phase transfer: reserves the amount. */
  PENDING: 2,
  POST_PENDING: 4,
  VOID_PENDING: 8,
  /** Internal only: the job runner releases a pending transfer whose timeout passed. */
  EXPIRE_PENDING: 16,
} as const;

export const TRANSFER_FLAGS_PUBLIC_MASK =
  TRANSFER_FLAGS.LINKED | TRANSFER_FLAGS.PENDING | TRANSFER_FLAGS.POST_PENDING | TRANSFER_FLAGS.VOID_PENDING;

export interface Account {
  readonly id: string;
  readonly currency: string;
  /** The account's type in the chart of accounts (wallet, merchant, reserve ...). */
  readonly code: string;
  readonly flags: number;
  readonly userData: string | null;
  readonly ts: bigint;
  readonly debitsPending: bigint;
  readonly debitsPosted: bigint;
  readonly creditsPending: bigint;
  readonly creditsPosted: bigint;
}

export interface Transfer {
  readonly id: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  /** For a post: the amount posted; for a void or expiry: the amount released. */
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly flags: number;
  readonly pendingId: string | null;
  /** For pending transfers: how long the reservation lives; 0 = until posted or voided. */
  readonly timeoutMs: number;
  readonly userData: string | null;
  readonly ts: bigint;
  /** For post/void/expire: the pending amount this transfer released (0 otherwise). */
  readonly pendingAmountMinor: bigint;
}

export type PendingStatus = 'pending' | 'posted' | 'voided' | 'expired';

export interface PendingState {
  readonly id: string;
  readonly status: PendingStatus;
  /** Microseconds; null when the pending transfer has no timeout. */
  readonly expiresAtTs: bigint | null;
}

export interface AccountInput {
  readonly id: string;
  readonly currency: string;
  readonly code: string;
  readonly flags: number;
  readonly userData?: string | null | undefined;
}

export interface TransferInput {
  readonly id: string;
  readonly debitAccountId?: string | undefined;
  readonly creditAccountId?: string | undefined;
  /** Required for single-phase and pending transfers; optional (full amount) for post and void. */
  readonly amountMinor?: bigint | undefined;
  readonly currency?: string | undefined;
  readonly pendingId?: string | undefined;
  readonly timeoutMs?: number | undefined;
  readonly flags?: number | undefined;
  readonly userData?: string | null | undefined;
}

export const ACCOUNT_RESULTS = [
  'ok',
  'exists',
  'exists_with_different_currency',
  'exists_with_different_code',
  'exists_with_different_flags',
  'exists_with_different_user_data',
  'id_invalid',
  'currency_invalid',
  'code_invalid',
  'flags_invalid',
  'flags_are_mutually_exclusive',
  'user_data_too_long',
  'linked_event_failed',
] as const;
export type AccountResult = (typeof ACCOUNT_RESULTS)[number];

export const TRANSFER_RESULTS = [
  'ok',
  'linked_event_failed',
  'linked_event_chain_open',
  'id_invalid',
  'flags_invalid',
  'flags_are_mutually_exclusive',
  'debit_account_id_missing',
  'credit_account_id_missing',
  'accounts_must_be_different',
  'pending_id_must_be_empty',
  'pending_id_must_not_be_empty',
  'pending_id_must_be_different',
  'timeout_reserved_for_pending_transfer',
  'timeout_exceeds_limit',
  'amount_missing',
  'amount_must_be_positive',
  'amount_exceeds_limit',
  'currency_missing',
  'currency_invalid',
  'user_data_too_long',
  'exists_with_different_flags',
  'exists_with_different_pending_id',
  'exists_with_different_timeout',
  'exists_with_different_debit_account_id',
  'exists_with_different_credit_account_id',
  'exists_with_different_amount',
  'exists_with_different_currency',
  'exists_with_different_user_data',
  'exists',
  'debit_account_not_found',
  'credit_account_not_found',
  'accounts_must_have_the_same_currency',
  'transfer_must_have_the_same_currency_as_accounts',
  'pending_transfer_not_found',
  'pending_transfer_not_pending',
  'pending_transfer_has_different_debit_account_id',
  'pending_transfer_has_different_credit_account_id',
  'pending_transfer_has_different_currency',
  'pending_transfer_has_different_amount',
  'exceeds_pending_transfer_amount',
  'pending_transfer_already_posted',
  'pending_transfer_already_voided',
  'pending_transfer_expired',
  'pending_transfer_not_expired',
  'overflows_debits',
  'overflows_credits',
  'exceeds_credits',
  'exceeds_debits',
] as const;
export type TransferResult = (typeof TRANSFER_RESULTS)[number];

/** Debit/credit balances of one account, as stored or as of a past time. */
export interface Balances {
  readonly debitsPending: bigint;
  readonly debitsPosted: bigint;
  readonly creditsPending: bigint;
  readonly creditsPosted: bigint;
}
