// A deliberately plain reference model of the ledger's rules, written from docs/ledger.md, used by
// the property tests to check the real writer and stores. State is cloned for linked chains; time
// is counted in whole "ticks" (see the property test for why that is exact).

export type Flags = { linked?: boolean; pending?: boolean; post?: boolean; void?: boolean };

export interface ModelTransferInput {
  id: string;
  debit?: string;
  credit?: string;
  amount?: bigint;
  currency?: string;
  pendingId?: string;
  timeoutTicks?: number; // only for pending: expires after this many whole ticks (0 = never)
  flags: Flags;
}

export interface ModelAccount {
  id: string;
  currency: string;
  code: string;
  flags: number; // 1: debits must not exceed credits, 2: credits must not exceed debits
  dp: bigint;
  dP: bigint;
  cp: bigint;
  cP: bigint;
}

interface ModelTransfer {
  id: string;
  debit: string;
  credit: string;
  amount: bigint;
  currency: string;
  flagsKey: string;
  pendingId: string | null;
  timeoutTicks: number;
  isPending: boolean;
  createdTick: number;
}

interface State {
  accounts: Map<string, ModelAccount>;
  transfers: Map<string, ModelTransfer>;
  status: Map<string, 'pending' | 'posted' | 'voided' | 'expired'>;
}

const KNOWN_CURRENCIES = new Set(['CNY', 'USD']);
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

function clone(s: State): State {
  return {
    accounts: new Map([...s.accounts].map(([k, v]) => [k, { ...v }])),
    transfers: new Map(s.transfers),
    status: new Map(s.status),
  };
}

function flagsKey(f: Flags): string {
  return `${f.linked ? 'L' : ''}${f.pending ? 'P' : ''}${f.post ? 'S' : ''}${f.void ? 'V' : ''}`;
}

export class LedgerModel {
  private s: State = { accounts: new Map(), transfers: new Map(), status: new Map() };
  tick = 0;

  account(id: string): ModelAccount | undefined {
    return this.s.accounts.get(id);
  }
  accountIds(): string[] {
    return [...this.s.accounts.keys()];
  }

  createAccount(a: { id: string; currency: string; code: string; flags: number }): string {
    if (!ID_RE.test(a.id) || a.id.length > 64) return 'id_invalid';
    if (a.flags < 0 || a.flags > 3) return 'flags_invalid';
    if (a.flags === 3) return 'flags_are_mutually_exclusive';
    if (!KNOWN_CURRENCIES.has(a.currency)) return 'currency_invalid';
    const e = this.s.accounts.get(a.id);
    if (e) {
      if (e.flags !== a.flags) return 'exists_with_different_flags';
      if (e.currency !== a.currency) return 'exists_with_different_currency';
      if (e.code !== a.code) return 'exists_with_different_code';
      return 'exists';
    }
    this.s.accounts.set(a.id, { ...a, dp: 0n, dP: 0n, cp: 0n, cP: 0n });
    return 'ok';
  }

  /** Expires every pending transfer whose time has come, as the job runner does. */
  expireDue(): void {
    for (const [id, st] of this.s.status) {
      const t = this.s.transfers.get(id)!;
      if (st === 'pending' && t.timeoutTicks > 0 && this.tick >= t.createdTick + t.timeoutTicks + 1) {
        const d = this.s.accounts.get(t.debit)!;
        const c = this.s.accounts.get(t.credit)!;
        d.dp -= t.amount;
        c.cp -= t.amount;
        this.s.status.set(id, 'expired');
      }
    }
  }

  createTransfers(batch: ModelTransferInput[]): string[] {
    const out: string[] = [];
    let i = 0;
    while (i < batch.length) {
      let j = i;
      while (j < batch.length && batch[j]!.flags.linked) j++;
      if (j === batch.length) {
        for (let k = i; k < batch.length - 1; k++) out[k] = 'linked_event_failed';
        out[batch.length - 1] = 'linked_event_chain_open';
        break;
      }
      const saved = clone(this.s);
      const codes: string[] = [];
      let failed = -1;
      for (let k = i; k <= j; k++) {
        const r = this.one(batch[k]!);
        codes.push(r);
        if (r !== 'ok' && r !== 'exists') {
          failed = k;
          break;
        }
      }
      const n = j - i + 1;
      if (codes.length === n && codes.every((c) => c === 'exists')) {
        for (let k = i; k <= j; k++) out[k] = 'exists';
      } else if (failed === -1 && codes.every((c) => c === 'ok')) {
        for (let k = i; k <= j; k++) out[k] = 'ok';
      } else if (failed === -1) {
        this.s = saved;
        for (let k = i; k <= j; k++) out[k] = this.s.transfers.has(batch[k]!.id) ? 'exists' : 'linked_event_failed';
      } else {
        this.s = saved;
        for (let k = i; k <= j; k++) out[k] = k === failed ? codes[k - i]! : 'linked_event_failed';
      }
      i = j + 1;
    }
    return out;
  }

  private one(t: ModelTransferInput): string {
    const f = t.flags;
    if (!ID_RE.test(t.id) || t.id.length > 64) return 'id_invalid';
    const phases = [f.pending, f.post, f.void].filter(Boolean).length;
    if (phases > 1) return 'flags_are_mutually_exclusive';
    if (t.currency !== undefined && !KNOWN_CURRENCIES.has(t.currency)) return 'currency_invalid';
    if (t.amount !== undefined && t.amount <= 0n) return 'amount_must_be_positive';
    const timeoutTicks = t.timeoutTicks ?? 0;

    if (!f.post && !f.void) {
      if (t.pendingId !== undefined) return 'pending_id_must_be_empty';
      if (timeoutTicks !== 0 && !f.pending) return 'timeout_reserved_for_pending_transfer';
      if (t.debit === undefined) return 'debit_account_id_missing';
      if (t.credit === undefined) return 'credit_account_id_missing';
      if (t.debit === t.credit) return 'accounts_must_be_different';
      if (t.amount === undefined) return 'amount_missing';
      if (t.currency === undefined) return 'currency_missing';
      const e = this.s.transfers.get(t.id);
      if (e) {
        if (e.flagsKey !== flagsKey(f)) return 'exists_with_different_flags';
        if (e.pendingId !== null) return 'exists_with_different_pending_id';
        if (e.timeoutTicks !== timeoutTicks) return 'exists_with_different_timeout';
        if (e.debit !== t.debit) return 'exists_with_different_debit_account_id';
        if (e.credit !== t.credit) return 'exists_with_different_credit_account_id';
        if (e.amount !== t.amount) return 'exists_with_different_amount';
        if (e.currency !== t.currency) return 'exists_with_different_currency';
        return 'exists';
      }
      const d = this.s.accounts.get(t.debit);
      if (!d) return 'debit_account_not_found';
      const c = this.s.accounts.get(t.credit);
      if (!c) return 'credit_account_not_found';
      if (d.currency !== c.currency) return 'accounts_must_have_the_same_currency';
      if (t.currency !== d.currency) return 'transfer_must_have_the_same_currency_as_accounts';
      const a = t.amount;
      if (d.flags === 1 && d.dp + d.dP + a > d.cP) return 'exceeds_credits';
      if (c.flags === 2 && c.cp + c.cP + a > c.dP) return 'exceeds_debits';
      if (f.pending) {
        d.dp += a;
        c.cp += a;
        this.s.status.set(t.id, 'pending');
      } else {
        d.dP += a;
        c.cP += a;
      }
      this.s.transfers.set(t.id, {
        id: t.id, debit: d.id, credit: c.id, amount: a, currency: d.currency, flagsKey: flagsKey(f),
        pendingId: null, timeoutTicks, isPending: !!f.pending, createdTick: this.tick,
      });
      return 'ok';
    }

    if (t.pendingId === undefined) return 'pending_id_must_not_be_empty';
    if (t.pendingId === t.id) return 'pending_id_must_be_different';
    if (timeoutTicks !== 0) return 'timeout_reserved_for_pending_transfer';
    const e = this.s.transfers.get(t.id);
    if (e) {
      if (e.flagsKey !== flagsKey(f)) return 'exists_with_different_flags';
      if (e.pendingId !== t.pendingId) return 'exists_with_different_pending_id';
      if (t.debit !== undefined && e.debit !== t.debit) return 'exists_with_different_debit_account_id';
      if (t.credit !== undefined && e.credit !== t.credit) return 'exists_with_different_credit_account_id';
      const p = this.s.transfers.get(e.pendingId)!;
      if (e.amount !== (t.amount ?? p.amount)) return 'exists_with_different_amount';
      if (t.currency !== undefined && e.currency !== t.currency) return 'exists_with_different_currency';
      return 'exists';
    }
    const p = this.s.transfers.get(t.pendingId);
    if (!p) return 'pending_transfer_not_found';
    if (!p.isPending) return 'pending_transfer_not_pending';
    if (t.debit !== undefined && t.debit !== p.debit) return 'pending_transfer_has_different_debit_account_id';
    if (t.credit !== undefined && t.credit !== p.credit) return 'pending_transfer_has_different_credit_account_id';
    if (t.currency !== undefined && t.currency !== p.currency) return 'pending_transfer_has_different_currency';
    const amount = t.amount ?? p.amount;
    if (f.post && amount > p.amount) return 'exceeds_pending_transfer_amount';
    if (f.void && amount !== p.amount) return 'pending_transfer_has_different_amount';
    const st = this.s.status.get(p.id)!;
    if (st === 'posted') return 'pending_transfer_already_posted';
    if (st === 'voided') return 'pending_transfer_already_voided';
    if (st === 'expired') return 'pending_transfer_expired';
    if (p.timeoutTicks > 0 && this.tick >= p.createdTick + p.timeoutTicks + 1) return 'pending_transfer_expired';
    const d = this.s.accounts.get(p.debit)!;
    const c = this.s.accounts.get(p.credit)!;
    d.dp -= p.amount;
    c.cp -= p.amount;
    if (f.post) {
      d.dP += amount;
      c.cP += amount;
    }
    this.s.status.set(p.id, f.post ? 'posted' : 'voided');
    this.s.transfers.set(t.id, {
      id: t.id, debit: p.debit, credit: p.credit, amount, currency: p.currency, flagsKey: flagsKey(f),
      pendingId: p.id, timeoutTicks: 0, isPending: false, createdTick: this.tick,
    });
    return 'ok';
  }
}
