/**
 * The boundary to a bank. A connector moves money between a customer's (or merchant's) bank
 * account and the platform's custody account; it never touches the ledger. The platform writes its
 * own record before calling and re-drives unfinished records after a crash, so every call must be
 * idempotent by `reference`: the same reference answers the first outcome and moves money once.
 */

export interface BankInstruction {
  /** Ours, unique per movement (the bank transfer's id); the bank's idempotency key. */
  readonly reference: string;
  /** The counterparty's account number, digits only. Never logged: see maskBankAccount. */
  readonly account: string;
  readonly amountMinor: bigint;
  readonly currency: string;
}

export type BankStatus = 'succeeded' | 'declined';

/** A final answer from the bank. A transport failure is not an answer: it throws. */
export interface BankOutcome {
  readonly status: BankStatus;
  /** The bank's id of the movement (also for declines), as its statements print it. */
  readonly bankReference: string;
  /** Why it was declined, in the bank's words (e.g. `insufficient_funds`). */
  readonly reason?: string | undefined;
}

export interface BankConnector {
  /** Debits the customer's account into the custody account (a top-up). */
  pull(instruction: BankInstruction): Promise<BankOutcome>;
  /** Pays out of the custody account to the account (a withdrawal or a settlement). */
  push(instruction: BankInstruction): Promise<BankOutcome>;
}

/**
 * The bank could not be reached or did not answer: the movement may or may not have happened.
 * Retry with the same reference; the bank's idempotency makes that safe.
 */
export class BankTransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BankTransportError';
  }
}
