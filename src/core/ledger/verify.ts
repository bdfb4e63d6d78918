import { ACCOUNT_FLAGS, type Balances } from './types.js';
import { ACCOUNT_TYPES, isAccountType } from './chart.js';

/** One account's stored balances next to those recomputed from its transfers. */
export interface AccountAudit {
  readonly id: string;
  readonly currency: string;
  readonly code: string;
  readonly flags: number;
  readonly stored: Balances;
  readonly recomputed: Balances;
}

export interface LedgerViolation {
  readonly check: 'balanced' | 'account_matches_transfers' | 'reserve_covers_funds' | 'platform_claims_non_negative' | 'overdraft' | 'chart';
  readonly detail: string;
}

export interface CurrencySummary {
  readonly currency: string;
  readonly reserveMinor: bigint;
  readonly customerFundsMinor: bigint;
  readonly platformClaimsMinor: bigint;
  readonly debitsPostedMinor: bigint;
  readonly creditsPostedMinor: bigint;
}

export interface LedgerVerdict {
  readonly ok: boolean;
  readonly accounts: number;
  readonly currencies: readonly CurrencySummary[];
  readonly violations: readonly LedgerViolation[];
}

function sameBalances(a: Balances, b: Balances): boolean {
  return (
    a.debitsPending === b.debitsPending &&
    a.debitsPosted === b.debitsPosted &&
    a.creditsPending === b.creditsPending &&
    a.creditsPosted === b.creditsPosted
  );
}

function show(b: Balances): string {
  return `dp=${b.debitsPending} dP=${b.debitsPosted} cp=${b.creditsPending} cP=${b.creditsPosted}`;
}

/**
 * Checks the books: debits equal credits (posted and pending) per currency; each account's stored
 * balances equal the sum of its transfers; no forbidden overdraft; the platform's own claims are
 * never negative; and the reserve equals customer funds plus platform claims, both counting
 * posted only and counting pending too.
 */
export function verifyLedger(audits: readonly AccountAudit[]): LedgerVerdict {
  const violations: LedgerViolation[] = [];
  const byCurrency = new Map<string, { dp: bigint; dP: bigint; cp: bigint; cP: bigint; reserve: bigint; reserveAll: bigint; funds: bigint; fundsAll: bigint; claims: bigint; claimsAll: bigint }>();

  for (const a of audits) {
    const s = a.stored;
    if (!sameBalances(s, a.recomputed)) {
      violations.push({ check: 'account_matches_transfers', detail: `${a.id}: stored ${show(s)} but transfers sum to ${show(a.recomputed)}` });
    }
    if ((a.flags & ACCOUNT_FLAGS.DEBITS_MUST_NOT_EXCEED_CREDITS) !== 0 && s.debitsPending + s.debitsPosted > s.creditsPosted) {
      violations.push({ check: 'overdraft', detail: `${a.id}: debits exceed credits (${show(s)})` });
    }
    if ((a.flags & ACCOUNT_FLAGS.CREDITS_MUST_NOT_EXCEED_DEBITS) !== 0 && s.creditsPending + s.creditsPosted > s.debitsPosted) {
      violations.push({ check: 'overdraft', detail: `${a.id}: credits exceed debits (${show(s)})` });
    }
    let c = byCurrency.get(a.currency);
    if (!c) {
      c = { dp: 0n, dP: 0n, cp: 0n, cP: 0n, reserve: 0n, reserveAll: 0n, funds: 0n, fundsAll: 0n, claims: 0n, claimsAll: 0n };
      byCurrency.set(a.currency, c);
    }
    c.dp += s.debitsPending;
    c.dP += s.debitsPosted;
    c.cp += s.creditsPending;
    c.cP += s.creditsPosted;
    if (!isAccountType(a.code)) {
      violations.push({ check: 'chart', detail: `${a.id}: type ${a.code} is not in the chart of accounts` });
      continue;
    }
    const type = ACCOUNT_TYPES[a.code];
    if (type.flags !== a.flags) {
      violations.push({ check: 'chart', detail: `${a.id}: flags ${a.flags} differ from the chart's ${type.flags} for ${a.code}` });
    }
    const postedNet = s.creditsPosted - s.debitsPosted;
    const allNet = s.creditsPosted + s.creditsPending - s.debitsPosted - s.debitsPending;
    if (type.group === 'reserve') {
      c.reserve -= postedNet;
      c.reserveAll -= allNet;
    } else if (type.group === 'customer_funds') {
      c.funds += postedNet;
      c.fundsAll += allNet;
    } else {
      c.claims += postedNet;
      c.claimsAll += allNet;
      if (postedNet < 0n || allNet < 0n) {
        violations.push({ check: 'platform_claims_non_negative', detail: `${a.id}: platform claim is negative (${show(s)})` });
      }
    }
  }

  const currencies: CurrencySummary[] = [];
  for (const [currency, c] of [...byCurrency.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    if (c.dP !== c.cP) violations.push({ check: 'balanced', detail: `${currency}: posted debits ${c.dP} ≠ posted credits ${c.cP}` });
    if (c.dp !== c.cp) violations.push({ check: 'balanced', detail: `${currency}: pending debits ${c.dp} ≠ pending credits ${c.cp}` });
    if (c.reserve !== c.funds + c.claims) {
      violations.push({ check: 'reserve_covers_funds', detail: `${currency}: reserve ${c.reserve} ≠ customer funds ${c.funds} + platform claims ${c.claims} (posted)` });
    }
    if (c.reserveAll !== c.fundsAll + c.claimsAll) {
      violations.push({ check: 'reserve_covers_funds', detail: `${currency}: reserve ${c.reserveAll} ≠ customer funds ${c.fundsAll} + platform claims ${c.claimsAll} (with pending)` });
    }
    currencies.push({ currency, reserveMinor: c.reserve, customerFundsMinor: c.funds, platformClaimsMinor: c.claims, debitsPostedMinor: c.dP, creditsPostedMinor: c.cP });
  }
  return { ok: violations.length === 0, accounts: audits.length, currencies, violations };
}
