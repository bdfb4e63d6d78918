import type { Account, PendingState, Transfer } from './types.js';

/** What the ledger core reads: the rows a batch touches, loaded by the store beforehand. */
export interface LedgerReadView {
  account(id: string): Account | undefined;
  transfer(id: string): Transfer | undefined;
  pending(id: string): PendingState | undefined;
}

/**
 * The batch's view of the ledger: the loaded rows plus this batch's changes, with an undo log so
 * that a failed linked chain leaves no trace. The store writes `changes()` in one transaction.
 */
export class LedgerWorkingSet implements LedgerReadView {
  private readonly accountsChanged = new Map<string, Account>();
  private readonly accountsCreated = new Map<string, Account>();
  private readonly transfersCreated = new Map<string, Transfer>();
  private readonly pendingChanged = new Map<string, PendingState>();
  private readonly undoLog: Array<() => void> = [];

  constructor(private readonly base: LedgerReadView) {}

  account(id: string): Account | undefined {
    return this.accountsChanged.get(id) ?? this.accountsCreated.get(id) ?? this.base.account(id);
  }
  transfer(id: string): Transfer | undefined {
    return this.transfersCreated.get(id) ?? this.base.transfer(id);
  }
  pending(id: string): PendingState | undefined {
    return this.pendingChanged.get(id) ?? this.base.pending(id);
  }

  createAccount(account: Account): void {
    this.accountsCreated.set(account.id, account);
    this.undoLog.push(() => this.accountsCreated.delete(account.id));
  }

  updateAccount(account: Account): void {
    if (this.accountsCreated.has(account.id)) {
      const before = this.accountsCreated.get(account.id)!;
      this.accountsCreated.set(account.id, account);
      this.undoLog.push(() => this.accountsCreated.set(account.id, before));
      return;
    }
    const before = this.accountsChanged.get(account.id);
    this.accountsChanged.set(account.id, account);
    this.undoLog.push(() => {
      if (before === undefined) this.accountsChanged.delete(account.id);
      else this.accountsChanged.set(account.id, before);
    });
  }

  createTransfer(transfer: Transfer): void {
    this.transfersCreated.set(transfer.id, transfer);
    this.undoLog.push(() => this.transfersCreated.delete(transfer.id));
  }

  setPending(state: PendingState): void {
    const before = this.pendingChanged.get(state.id);
    this.pendingChanged.set(state.id, state);
    this.undoLog.push(() => {
      if (before === undefined) this.pendingChanged.delete(state.id);
      else this.pendingChanged.set(state.id, before);
    });
  }

  checkpoint(): number {
    return this.undoLog.length;
  }

  rollback(checkpoint: number): void {
    while (this.undoLog.length > checkpoint) this.undoLog.pop()!();
  }

  /** What the batch changed, for the store to write. New transfers come in timestamp order. */
  changes(): LedgerChanges {
    return {
      accountsCreated: [...this.accountsCreated.values()],
      accountsUpdated: [...this.accountsChanged.values()],
      transfersCreated: [...this.transfersCreated.values()],
      pendingUpserts: [...this.pendingChanged.values()],
    };
  }
}

export interface LedgerChanges {
  readonly accountsCreated: readonly Account[];
  readonly accountsUpdated: readonly Account[];
  readonly transfersCreated: readonly Transfer[];
  readonly pendingUpserts: readonly PendingState[];
}
