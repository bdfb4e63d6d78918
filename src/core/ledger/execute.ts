import { isKnownCurrency } from '../money/index.js';
import { AMOUNT_MINOR_MAX, BALANCE_MINOR_MAX, LEDGER_ID_LENGTH_MAX, PENDING_TIMEOUT_MS_MAX } from '../limits.js';
import { assert } from '../errors.js';
import {
  ACCOUNT_FLAGS,
  TRANSFER_FLAGS,
  type Account,
  type AccountInput,
  type AccountResult,
  type Transfer,
  type TransferInput,
  type TransferResult,
} from './types.js';
import type { LedgerWorkingSet } from './working-set.js';

export const LEDGER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
export const ACCOUNT_CODE_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
export const USER_DATA_LENGTH_MAX = 128;
/** Ids the platform itself writes (expiries) start with a character clients cannot use. */
const INTERNAL_ID_PREFIX = '~';

export function isValidLedgerId(id: string): boolean {
  return id.length > 0 && id.length <= LEDGER_ID_LENGTH_MAX && LEDGER_ID_PATTERN.test(id);
}

export function expiryTransferId(pendingId: string): string {
  return `${INTERNAL_ID_PREFIX}expire:${pendingId}`;
}

/** Time and id allocation come from the caller: the core has no clock. */
export interface LedgerClock {
  /** Now, in microseconds since the Unix epoch. */
  readonly nowTs: bigint;
  /** A fresh, strictly increasing timestamp for a new row. */
  nextTs(): bigint;
}

export interface ExecuteOptions {
  /** The job runner may expire pending transfers; API callers may not. */
  readonly allowInternal?: boolean;
}

const ACCOUNT_FLAGS_ALL = ACCOUNT_FLAGS.DEBITS_MUST_NOT_EXCEED_CREDITS | ACCOUNT_FLAGS.CREDITS_MUST_NOT_EXCEED_DEBITS;

export function createAccounts(
  ws: LedgerWorkingSet,
  inputs: readonly AccountInput[],
  clock: LedgerClock,
): AccountResult[] {
  return inputs.map((input) => {
    const code = validateAccount(input);
    if (code !== 'ok') return code;
    const existing = ws.account(input.id);
    if (existing) return compareAccount(existing, input);
    ws.createAccount({
      id: input.id,
      currency: input.currency,
      code: input.code,
      flags: input.flags,
      userData: input.userData ?? null,
      ts: clock.nextTs(),
      debitsPending: 0n,
      debitsPosted: 0n,
      creditsPending: 0n,
      creditsPosted: 0n,
    });
    return 'ok';
  });
}

function validateAccount(input: AccountInput): AccountResult {
  if (!isValidLedgerId(input.id)) return 'id_invalid';
  if (!Number.isInteger(input.flags) || (input.flags & ~ACCOUNT_FLAGS_ALL) !== 0) return 'flags_invalid';
  if (input.flags === ACCOUNT_FLAGS_ALL) return 'flags_are_mutually_exclusive';
  if (!isKnownCurrency(input.currency)) return 'currency_invalid';
  if (!ACCOUNT_CODE_PATTERN.test(input.code)) return 'code_invalid';
  if ((input.userData?.length ?? 0) > USER_DATA_LENGTH_MAX) return 'user_data_too_long';
  return 'ok';
}

function compareAccount(existing: Account, input: AccountInput): AccountResult {
  if (existing.flags !== input.flags) return 'exists_with_different_flags';
  if (existing.currency !== input.currency) return 'exists_with_different_currency';
  if (existing.code !== input.code) return 'exists_with_different_code';
  if (existing.userData !== (input.userData ?? null)) return 'exists_with_different_user_data';
  return 'exists';
}

/**
 * Applies a request's transfers in order. Linked transfers form chains that apply all or none.
 * Returns one result per input, aligned with the inputs.
 */
export function createTransfers(
  ws: LedgerWorkingSet,
  inputs: readonly TransferInput[],
  clock: LedgerClock,
  options: ExecuteOptions = {},
): TransferResult[] {
  const results: TransferResult[] = new Array<TransferResult>(inputs.length);
  let chainStart = 0;
  while (chainStart < inputs.length) {
    let chainEnd = chainStart;
    while (chainEnd < inputs.length && isLinked(inputs[chainEnd]!)) chainEnd++;
    if (chainEnd === inputs.length) {
      // The request ended inside a chain: nothing of the chain applies.
      for (let i = chainStart; i < inputs.length - 1; i++) results[i] = 'linked_event_failed';
      results[inputs.length - 1] = 'linked_event_chain_open';
      break;
    }
    applyChain(ws, inputs, chainStart, chainEnd, clock, options, results);
    chainStart = chainEnd + 1;
  }
  return results;
}

function isLinked(input: TransferInput): boolean {
  return ((input.flags ?? 0) & TRANSFER_FLAGS.LINKED) !== 0;
}

function applyChain(
  ws: LedgerWorkingSet,
  inputs: readonly TransferInput[],
  start: number,
  end: number,
  clock: LedgerClock,
  options: ExecuteOptions,
  results: TransferResult[],
): void {
  if (start === end) {
    const checkpoint = ws.checkpoint();
    const result = applyTransfer(ws, inputs[start]!, clock, options);
    if (result !== 'ok') ws.rollback(checkpoint);
    results[start] = result;
    return;
  }
  const checkpoint = ws.checkpoint();
  let failedAt = -1;
  let failure: TransferResult = 'ok';
  let existsCount = 0;
  for (let i = start; i <= end; i++) {
    const result = applyTransfer(ws, inputs[i]!, clock, options);
    if (result === 'exists') {
      existsCount++;
      continue;
    }
    if (result !== 'ok') {
      failedAt = i;
      failure = result;
      break;
    }
  }
  const chainLength = end - start + 1;
  if (existsCount === chainLength) {
    // A retried chain: every transfer is already there exactly as asked.
    for (let i = start; i <= end; i++) results[i] = 'exists';
    return;
  }
  if (failedAt === -1 && existsCount === 0) {
    for (let i = start; i <= end; i++) results[i] = 'ok';
    return;
  }
  ws.rollback(checkpoint);
  if (failedAt === -1) {
    // Some but not all of the chain exist: the chain is not the one that was applied before.
    for (let i = start; i <= end; i++) {
      results[i] = ws.transfer(inputs[i]!.id) ? 'exists' : 'linked_event_failed';
    }
    return;
  }
  for (let i = start; i <= end; i++) results[i] = i === failedAt ? failure : 'linked_event_failed';
}

function applyTransfer(
  ws: LedgerWorkingSet,
  input: TransferInput,
  clock: LedgerClock,
  options: ExecuteOptions,
): TransferResult {
  const flags = input.flags ?? 0;
  const internalId = options.allowInternal === true && input.id.startsWith(INTERNAL_ID_PREFIX) && isValidLedgerId(input.id.slice(INTERNAL_ID_PREFIX.length).replace(/^expire:/, ''));
  if (!isValidLedgerId(input.id) && !internalId) return 'id_invalid';
  const allowedFlags =
    TRANSFER_FLAGS.LINKED |
    TRANSFER_FLAGS.PENDING |
    TRANSFER_FLAGS.POST_PENDING |
    TRANSFER_FLAGS.VOID_PENDING |
    (options.allowInternal ? TRANSFER_FLAGS.EXPIRE_PENDING : 0);
  if (!Number.isInteger(flags) || (flags & ~allowedFlags) !== 0) return 'flags_invalid';
  const phaseFlags =
    flags & (TRANSFER_FLAGS.PENDING | TRANSFER_FLAGS.POST_PENDING | TRANSFER_FLAGS.VOID_PENDING | TRANSFER_FLAGS.EXPIRE_PENDING);
  if (phaseFlags !== 0 && (phaseFlags & (phaseFlags - 1)) !== 0) return 'flags_are_mutually_exclusive';
  if ((input.userData?.length ?? 0) > USER_DATA_LENGTH_MAX) return 'user_data_too_long';
  if (input.currency !== undefined && !isKnownCurrency(input.currency)) return 'currency_invalid';
  if (input.amountMinor !== undefined) {
    if (input.amountMinor <= 0n) return 'amount_must_be_positive';
    if (input.amountMinor > BigInt(AMOUNT_MINOR_MAX)) return 'amount_exceeds_limit';
  }
  if (phaseFlags === 0 || phaseFlags === TRANSFER_FLAGS.PENDING) return applyFirstPhase(ws, input, flags, clock);
  return applySecondPhase(ws, input, flags, clock);
}

function applyFirstPhase(ws: LedgerWorkingSet, input: TransferInput, flags: number, clock: LedgerClock): TransferResult {
  const isPending = (flags & TRANSFER_FLAGS.PENDING) !== 0;
  const timeoutMs = input.timeoutMs ?? 0;
  if (input.pendingId !== undefined) return 'pending_id_must_be_empty';
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 0) return 'timeout_exceeds_limit';
  if (timeoutMs !== 0 && !isPending) return 'timeout_reserved_for_pending_transfer';
  if (timeoutMs > PENDING_TIMEOUT_MS_MAX) return 'timeout_exceeds_limit';
  if (input.debitAccountId === undefined) return 'debit_account_id_missing';
  if (input.creditAccountId === undefined) return 'credit_account_id_missing';
  if (input.debitAccountId === input.creditAccountId) return 'accounts_must_be_different';
  if (input.amountMinor === undefined) return 'amount_missing';
  if (input.currency === undefined) return 'currency_missing';

  const existing = ws.transfer(input.id);
  if (existing) {
    if (existing.flags !== flags) return 'exists_with_different_flags';
    if (existing.pendingId !== null) return 'exists_with_different_pending_id';
    if (existing.timeoutMs !== timeoutMs) return 'exists_with_different_timeout';
    if (existing.debitAccountId !== input.debitAccountId) return 'exists_with_different_debit_account_id';
    if (existing.creditAccountId !== input.creditAccountId) return 'exists_with_different_credit_account_id';
    if (existing.amountMinor !== input.amountMinor) return 'exists_with_different_amount';
    if (existing.currency !== input.currency) return 'exists_with_different_currency';
    if (existing.userData !== (input.userData ?? null)) return 'exists_with_different_user_data';
    return 'exists';
  }

  const debit = ws.account(input.debitAccountId);
  if (!debit) return 'debit_account_not_found';
  const credit = ws.account(input.creditAccountId);
  if (!credit) return 'credit_account_not_found';
  if (debit.currency !== credit.currency) return 'accounts_must_have_the_same_currency';
  if (input.currency !== debit.currency) return 'transfer_must_have_the_same_currency_as_accounts';

  const amount = input.amountMinor;
  const debitAfter = isPending
    ? { ...debit, debitsPending: debit.debitsPending + amount }
    : { ...debit, debitsPosted: debit.debitsPosted + amount };
  const creditAfter = isPending
    ? { ...credit, creditsPending: credit.creditsPending + amount }
    : { ...credit, creditsPosted: credit.creditsPosted + amount };
  if (debitAfter.debitsPending + debitAfter.debitsPosted > BALANCE_MINOR_MAX) return 'overflows_debits';
  if (creditAfter.creditsPending + creditAfter.creditsPosted > BALANCE_MINOR_MAX) return 'overflows_credits';
  if (
    (debit.flags & ACCOUNT_FLAGS.DEBITS_MUST_NOT_EXCEED_CREDITS) !== 0 &&
    debitAfter.debitsPending + debitAfter.debitsPosted > debitAfter.creditsPosted
  ) {
    return 'exceeds_credits';
  }
  if (
    (credit.flags & ACCOUNT_FLAGS.CREDITS_MUST_NOT_EXCEED_DEBITS) !== 0 &&
    creditAfter.creditsPending + creditAfter.creditsPosted > creditAfter.debitsPosted
  ) {
    return 'exceeds_debits';
  }

  const ts = clock.nextTs();
  ws.updateAccount(debitAfter);
  ws.updateAccount(creditAfter);
  ws.createTransfer({
    id: input.id,
    debitAccountId: debit.id,
    creditAccountId: credit.id,
    amountMinor: amount,
    currency: debit.currency,
    flags,
    pendingId: null,
    timeoutMs,
    userData: input.userData ?? null,
    ts,
    pendingAmountMinor: 0n,
  });
  if (isPending) {
    ws.setPending({
      id: input.id,
      status: 'pending',
      expiresAtTs: timeoutMs === 0 ? null : ts + BigInt(timeoutMs) * 1000n,
    });
  }
  return 'ok';
}

function applySecondPhase(ws: LedgerWorkingSet, input: TransferInput, flags: number, clock: LedgerClock): TransferResult {
  const isPost = (flags & TRANSFER_FLAGS.POST_PENDING) !== 0;
  const isExpire = (flags & TRANSFER_FLAGS.EXPIRE_PENDING) !== 0;
  if (input.pendingId === undefined) return 'pending_id_must_not_be_empty';
  if (input.pendingId === input.id) return 'pending_id_must_be_different';
  if ((input.timeoutMs ?? 0) !== 0) return 'timeout_reserved_for_pending_transfer';

  const existing = ws.transfer(input.id);
  if (existing) {
    if (existing.flags !== flags) return 'exists_with_different_flags';
    if (existing.pendingId !== input.pendingId) return 'exists_with_different_pending_id';
    if (input.debitAccountId !== undefined && existing.debitAccountId !== input.debitAccountId) {
      return 'exists_with_different_debit_account_id';
    }
    if (input.creditAccountId !== undefined && existing.creditAccountId !== input.creditAccountId) {
      return 'exists_with_different_credit_account_id';
    }
    const pendingOfExisting = ws.transfer(existing.pendingId);
    assert(pendingOfExisting, `pending transfer ${existing.pendingId} of ${existing.id} is stored`);
    if (existing.amountMinor !== (input.amountMinor ?? pendingOfExisting.amountMinor)) return 'exists_with_different_amount';
    if (input.currency !== undefined && existing.currency !== input.currency) return 'exists_with_different_currency';
    if (existing.userData !== (input.userData ?? null)) return 'exists_with_different_user_data';
    return 'exists';
  }

  const pending = ws.transfer(input.pendingId);
  if (!pending) return 'pending_transfer_not_found';
  if ((pending.flags & TRANSFER_FLAGS.PENDING) === 0) return 'pending_transfer_not_pending';
  if (input.debitAccountId !== undefined && input.debitAccountId !== pending.debitAccountId) {
    return 'pending_transfer_has_different_debit_account_id';
  }
  if (input.creditAccountId !== undefined && input.creditAccountId !== pending.creditAccountId) {
    return 'pending_transfer_has_different_credit_account_id';
  }
  if (input.currency !== undefined && input.currency !== pending.currency) return 'pending_transfer_has_different_currency';
  const amount = input.amountMinor ?? pending.amountMinor;
  if (isPost) {
    if (amount > pending.amountMinor) return 'exceeds_pending_transfer_amount';
  } else if (amount !== pending.amountMinor) {
    return 'pending_transfer_has_different_amount';
  }

  const state = ws.pending(pending.id);
  assert(state, `pending transfer ${pending.id} has a state row`);
  if (state.status === 'posted') return 'pending_transfer_already_posted';
  if (state.status === 'voided') return 'pending_transfer_already_voided';
  if (state.status === 'expired') return 'pending_transfer_expired';
  const timedOut = state.expiresAtTs !== null && clock.nowTs >= state.expiresAtTs;
  if (isExpire && !timedOut) return 'pending_transfer_not_expired';
  if (!isExpire && timedOut) return 'pending_transfer_expired';

  const debit = ws.account(pending.debitAccountId);
  const credit = ws.account(pending.creditAccountId);
  assert(debit && credit, `accounts of pending transfer ${pending.id} exist`);
  const released = pending.amountMinor;
  const posted = isPost ? amount : 0n;
  const debitAfter = { ...debit, debitsPending: debit.debitsPending - released, debitsPosted: debit.debitsPosted + posted };
  const creditAfter = {
    ...credit,
    creditsPending: credit.creditsPending - released,
    creditsPosted: credit.creditsPosted + posted,
  };
  assert(debitAfter.debitsPending >= 0n && creditAfter.creditsPending >= 0n, 'pending balances stay non-negative');

  ws.updateAccount(debitAfter);
  ws.updateAccount(creditAfter);
  ws.createTransfer({
    id: input.id,
    debitAccountId: pending.debitAccountId,
    creditAccountId: pending.creditAccountId,
    amountMinor: amount,
    currency: pending.currency,
    flags,
    pendingId: pending.id,
    timeoutMs: 0,
    userData: input.userData ?? null,
    ts: clock.nextTs(),
    pendingAmountMinor: released,
  });
  ws.setPending({ ...state, status: isPost ? 'posted' : isExpire ? 'expired' : 'voided' });
  return 'ok';
}
