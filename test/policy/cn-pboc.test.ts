import { describe, expect, it } from 'vitest';
import { checkPayment, needsPin, policyDay, policyYear, verificationLevel, type FactorKind, type Level, type PaymentToCheck, type Usage } from '../../src/core/policy/index.js';

const v = (signed: boolean, ...factors: FactorKind[]) => ({ signed, factors: new Set(factors) });
const none: Usage = { todayByLevelMinor: { A: 0n, B: 0n, C: 0n, D: 0n }, balanceSinceOpeningMinor: 0n, balanceThisYearMinor: 0n };
const pay = (over: Partial<PaymentToCheck>): PaymentToCheck => ({
  channel: 'dynamic_merchant_code',
  verification: v(true, 'possession', 'inherence'),
  amountMinor: 1_000n,
  currency: 'CNY',
  accountClass: 'III',
  fromBalance: true,
  ...over,
});

describe('cn-pboc verification levels (decision 0008)', () => {
  it.each([
    ['static_merchant_code', v(true, 'possession', 'inherence'), 'D'],
    ['static_merchant_code', v(false, 'possession'), 'D'],
    ['dynamic_merchant_code', v(true, 'possession', 'inherence'), 'A'],
    ['dynamic_merchant_code', v(true, 'possession', 'knowledge'), 'A'],
    ['payment_code', v(false, 'possession', 'knowledge'), 'B'],
    ['payment_code', v(false, 'possession'), 'C'],
    ['dynamic_merchant_code', v(true, 'possession'), 'C'],
    ['transfer', v(true, 'possession', 'inherence', 'knowledge'), 'A'],
  ] as const)('%s with %o is level %s', (channel, verification, level) => {
    expect(verificationLevel(channel, verification)).toBe(level);
  });

  it('caps each level per policy day and names the limit', () => {
    const caps: Record<Level, bigint> = { A: 5_000_000n, B: 500_000n, C: 100_000n, D: 50_000n };
    const examples: Array<[Level, PaymentToCheck]> = [
      ['A', pay({})],
      ['B', pay({ channel: 'payment_code', verification: v(false, 'possession', 'knowledge') })],
      ['C', pay({ channel: 'payment_code', verification: v(false, 'possession') })],
      ['D', pay({ channel: 'static_merchant_code' })],
    ];
    for (const [level, payment] of examples) {
      const used = { ...none, todayByLevelMinor: { ...none.todayByLevelMinor, [level]: caps[level] - payment.amountMinor } };
      expect(checkPayment(payment, used)).toMatchObject({ ok: true, level, compensationPromise: level === 'C' });
      const over = { ...used, todayByLevelMinor: { ...used.todayByLevelMinor, [level]: caps[level] - payment.amountMinor + 1n } };
      expect(checkPayment(payment, over)).toMatchObject({ ok: false, code: 'POLICY_LIMIT_EXCEEDED', level, limit: 'level_daily', capMinor: caps[level] });
    }
    // Another level's spending does not count against this one.
    expect(checkPayment(pay({ channel: 'static_merchant_code' }), { ...none, todayByLevelMinor: { A: 4_000_000n, B: 0n, C: 0n, D: 0n } })).toMatchObject({ ok: true, level: 'D' });
    // An agreed level-A cap replaces the default.
    expect(checkPayment(pay({ agreedLevelACapMinor: 500n }), none)).toMatchObject({ ok: false, limit: 'level_daily', capMinor: 500n });
  });

  it('applies the account-class caps to balance payments only', () => {
    expect(checkPayment(pay({ accountClass: 'I', amountMinor: 1n }), { ...none, balanceSinceOpeningMinor: 100_000n })).toMatchObject({ ok: false, limit: 'class_since_opening', capMinor: 100_000n });
    expect(checkPayment(pay({ accountClass: 'I', amountMinor: 1n, fromBalance: false }), { ...none, balanceSinceOpeningMinor: 100_000n })).toMatchObject({ ok: true });
    expect(checkPayment(pay({ accountClass: 'II', amountMinor: 1n }), { ...none, balanceThisYearMinor: 10_000_000n })).toMatchObject({ ok: false, limit: 'class_yearly', capMinor: 10_000_000n });
    expect(checkPayment(pay({ accountClass: 'III', amountMinor: 1n }), { ...none, balanceThisYearMinor: 10_000_000n })).toMatchObject({ ok: true });
    expect(checkPayment(pay({ accountClass: 'III', amountMinor: 1n }), { ...none, balanceThisYearMinor: 20_000_000n })).toMatchObject({ ok: false, limit: 'class_yearly' });
  });

  it('counts days and years in Asia/Shanghai', () => {
    expect(policyDay(Date.UTC(2026, 10, 29, 15, 59, 59, 999))).toBe('2026-11-29');
    expect(policyDay(Date.UTC(2026, 10, 29, 16, 0, 0))).toBe('2026-11-30');
    expect(policyYear(Date.UTC(2026, 11, 31, 16, 0, 0))).toBe('2027');
  });

  it('asks for a PIN on merchant-scanned payment codes above the password-free limit only', () => {
    expect(needsPin('payment_code', 20_000n)).toBe(false);
    expect(needsPin('payment_code', 20_001n)).toBe(true);
    expect(needsPin('dynamic_merchant_code', 10_000_000n)).toBe(false);
  });

  it('covers CNY only', () => {
    expect(checkPayment(pay({ currency: 'USD' }), none)).toMatchObject({ ok: false, code: 'POLICY_CURRENCY_UNSUPPORTED' });
  });
});
