import { describe, expect, it } from 'vitest';
import { ACCOUNT_TYPES, verifyLedger, type AccountAudit, type Balances } from '../../src/core/ledger/index.js';

const b = (dp: bigint, dP: bigint, cp: bigint, cP: bigint): Balances => ({ debitsPending: dp, debitsPosted: dP, creditsPending: cp, creditsPosted: cP });
const acct = (id: string, code: keyof typeof ACCOUNT_TYPES, stored: Balances, recomputed = stored): AccountAudit => ({
  id, currency: 'CNY', code, flags: ACCOUNT_TYPES[code].flags, stored, recomputed,
});

// Books after: top-up 100.00 to a wallet, a 30.00 payment to a merchant with 0.30 fee, 5.00 held.
const sound = (): AccountAudit[] => [
  acct('platform:reserve:CNY', 'reserve', b(0n, 10_000n, 0n, 0n)),
  acct('w1', 'wallet', b(500n, 3_000n, 0n, 10_000n)),
  acct('m1', 'merchant', b(0n, 30n, 500n, 3_000n)),
  acct('platform:fees:CNY', 'fees', b(0n, 0n, 0n, 30n)),
];

describe('verifyLedger', () => {
  it('accepts sound books and reports the reserve split', () => {
    const v = verifyLedger(sound());
    expect(v.violations).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.currencies).toEqual([
      { currency: 'CNY', reserveMinor: 10_000n, customerFundsMinor: 9_970n, platformClaimsMinor: 30n, debitsPostedMinor: 13_030n, creditsPostedMinor: 13_030n },
    ]);
  });

  it('finds a balance that does not match its transfers, and the imbalance it causes', () => {
    const books = sound();
    books[1] = acct('w1', 'wallet', b(500n, 3_000n, 0n, 10_100n), b(500n, 3_000n, 0n, 10_000n));
    const v = verifyLedger(books);
    expect(v.ok).toBe(false);
    expect(v.violations.map((x) => x.check).sort()).toEqual(['account_matches_transfers', 'balanced', 'reserve_covers_funds', 'reserve_covers_funds']);
  });

  it('finds an overdraft and a negative platform claim', () => {
    const books = sound();
    books[1] = acct('w1', 'wallet', b(500n, 10_000n, 0n, 10_000n));
    books[3] = acct('platform:fees:CNY', 'fees', b(0n, 50n, 0n, 30n));
    const checks = verifyLedger(books).violations.map((x) => x.check);
    expect(checks).toContain('overdraft');
    expect(checks).toContain('platform_claims_non_negative');
  });

  it('finds pending debits without matching pending credits', () => {
    const books = sound();
    books[2] = acct('m1', 'merchant', b(0n, 30n, 400n, 3_000n));
    const v = verifyLedger(books);
    expect(v.violations.some((x) => x.check === 'balanced' && x.detail.includes('pending'))).toBe(true);
  });

  it('finds accounts outside the chart or with flags the chart does not give them', () => {
    const books = sound();
    books.push({ ...acct('x', 'wallet', b(0n, 0n, 0n, 0n)), code: 'mystery' });
    books.push({ ...acct('y', 'wallet', b(0n, 0n, 0n, 0n)), flags: 0 });
    const details = verifyLedger(books).violations.filter((x) => x.check === 'chart').map((x) => x.detail);
    expect(details).toHaveLength(2);
  });
});
