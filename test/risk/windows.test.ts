import { describe, expect, it } from 'vitest';
import { InMemoryFeatureStore, type RiskPayment } from '../../src/core/risk/index.js';
import { BoundedMap, ReceiptPool, RecentSet, WindowCounter } from '../../src/core/risk/windows.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T = Date.UTC(2025, 2, 3, 4, 0, 0);

const lunch = (over: Partial<RiskPayment> = {}): RiskPayment => ({
  kind: 'merchant',
  payerId: 'alice',
  deviceId: 'alice-phone',
  ip: '10.0.0.1',
  payeeId: 'noodles',
  payeeKind: 'business',
  merchantTier: 'low',
  codeId: 'noodles-s',
  codeKind: 'static',
  codeVerdict: 'genuine',
  amountMinor: 2_500n,
  currency: 'CNY',
  placeId: 'cell-1',
  ...over,
});

describe('sliding windows (a clock moved by hand)', () => {
  it('a window counter forgets events once they are a whole window old, and keeps running totals', () => {
    const w = new WindowCounter(5_000, 12); // one minute
    w.add(T, 100);
    w.add(T + 10_000, 50);
    expect([w.count(T + 30_000), w.sum(T + 30_000)]).toEqual([2, 150]);
    // Buckets of 5 s: the first event leaves after 55 to 60 s, the second 10 s later.
    expect(w.count(T + 60_000)).toBe(1);
    expect(w.sum(T + 60_000)).toBe(50);
    expect(w.count(T + 75_000)).toBe(0);
    expect(w.sum(T + 75_000)).toBe(0);
    // A long silence empties everything at once.
    w.add(T + 10 * DAY, 7);
    expect([w.count(T + 10 * DAY), w.sum(T + 10 * DAY)]).toEqual([1, 7]);
  });

  it('an event later than the window is dropped, a late one inside it is counted', () => {
    const w = new WindowCounter(HOUR, 24);
    w.add(T, 1);
    w.add(T - 2 * HOUR, 1);
    w.add(T - 2 * DAY, 1);
    expect(w.count(T)).toBe(2);
  });

  it('a recent set counts distinct ids in a window and saturates at its size', () => {
    const s = new RecentSet(3);
    s.touch('a', T);
    s.touch('b', T + HOUR);
    s.touch('a', T + 2 * HOUR);
    expect(s.countSince(T + HOUR)).toBe(2);
    expect(s.countSince(T + HOUR, 'a')).toBe(1);
    s.touch('c', T + 3 * HOUR);
    s.touch('d', T + 4 * HOUR); // forgets b, the least recently seen
    expect(s.has('b')).toBe(false);
    expect(s.countSince(0)).toBe(3);
  });

  it('a bounded map forgets the least recently updated entry', () => {
    const m = new BoundedMap<number>(2);
    m.upsert('a', () => 1);
    m.upsert('b', () => 2);
    m.upsert('a', () => 99);
    m.upsert('c', () => 3);
    expect([m.get('a'), m.get('b'), m.get('c'), m.size]).toEqual([1, undefined, 3, 2]);
  });

  it('fast-out counts money that left after it came in, not money that left before', () => {
    const pool = new ReceiptPool(HOUR, 48);
    pool.spend(T, 600); // paid the restaurant first
    pool.receive(T + HOUR, 150);
    pool.receive(T + 2 * HOUR, 150);
    expect(pool.remainingSum(T + 2 * HOUR)).toBe(300);
    pool.spend(T + 3 * HOUR, 100);
    expect([pool.receivedSum(T + 3 * HOUR), pool.remainingSum(T + 3 * HOUR)]).toEqual([300, 200]);
    // Two days on, the receipts have left the window.
    expect([pool.receivedSum(T + 50 * HOUR), pool.remainingSum(T + 50 * HOUR)]).toEqual([0, 0]);
  });
});

describe('the in-memory feature store', () => {
  it('keeps velocity per payer, device, payee, address and code over 1 min, 1 h and 24 h', () => {
    const store = new InMemoryFeatureStore();
    for (let i = 0; i < 3; i++) store.observe({ type: 'payment', payment: lunch(), completed: true, atMs: T + i * 1_000 });
    const now = store.features(lunch(), T + 10_000);
    expect([now.payer_count_1m, now.payer_count_1h, now.payer_count_24h, now.payer_sum_1m_minor]).toEqual([3, 3, 3, 7_500]);
    expect([now.device_count_1m, now.payee_count_1m, now.code_count_1m, now.ip_count_1m]).toEqual([3, 3, 3, 3]);
    const later = store.features(lunch(), T + 2 * MIN);
    expect([later.payer_count_1m, later.payer_count_1h, later.payer_count_24h]).toEqual([0, 3, 3]);
    const nextDay = store.features(lunch(), T + 25 * HOUR);
    expect([nextDay.payer_count_1h, nextDay.payer_count_24h, nextDay.payee_sum_24h_minor]).toEqual([0, 0, 0]);
  });

  it('knows ages, new payees, typical amounts and credential changes', () => {
    const store = new InMemoryFeatureStore();
    store.observe({ type: 'account_opened', accountId: 'alice', atMs: T - 400 * DAY });
    store.observe({ type: 'account_opened', accountId: 'noodles', atMs: T - 100 * DAY });
    store.observe({ type: 'device_bound', payerId: 'alice', deviceId: 'alice-phone', via: 'signup', atMs: T - 400 * DAY });
    const before = store.features(lunch(), T);
    expect(before.payer_account_age_days).toBeCloseTo(400);
    expect(before.payee_account_age_days).toBeCloseTo(100);
    expect([before.new_payee, before.first_payment_to_payee, before.related, before.payer_history_count]).toEqual([true, true, false, 0]);
    expect(before.hours_since_new_device).toBe(1e9);

    store.observe({ type: 'payment', payment: lunch(), completed: true, atMs: T });
    const sameDay = store.features(lunch(), T + HOUR);
    // Paid once an hour ago: no longer a first payment, but still a new payee for a day.
    expect([sameDay.first_payment_to_payee, sameDay.new_payee, sameDay.related, sameDay.pair_count]).toEqual([false, true, false, 1]);
    const nextDay = store.features(lunch({ amountMinor: 10_000n }), T + 25 * HOUR);
    expect([nextDay.new_payee, nextDay.related]).toEqual([false, true]);
    expect(nextDay.payer_amount_typical_minor).toBe(2_500);
    expect(nextDay.amount_over_typical).toBe(4);
    // Typical amounts under 10.00 count as 10.00: a 30.00 dinner is not "six times" a 5.00 breakfast.
    const cheap = new InMemoryFeatureStore();
    cheap.observe({ type: 'payment', payment: lunch({ amountMinor: 500n }), completed: true, atMs: T });
    expect(cheap.features(lunch({ amountMinor: 3_000n }), T + HOUR).amount_over_typical).toBe(3);

    store.observe({ type: 'device_bound', payerId: 'alice', deviceId: 'alice-new', via: 'reverification', atMs: T + 30 * HOUR });
    store.observe({ type: 'credentials_changed', payerId: 'alice', what: 'pin_reset', atMs: T + 31 * HOUR });
    const after = store.features(lunch({ deviceId: 'alice-new' }), T + 33 * HOUR);
    expect(after.hours_since_new_device).toBeCloseTo(3);
    expect(after.hours_since_credential_change).toBeCloseTo(2);
    expect(after.device_age_hours).toBeCloseTo(3);
    expect(after.device_via_reverification).toBe(true);
  });

  it('counts declined attempts in velocity but not in habits or relations', () => {
    const store = new InMemoryFeatureStore();
    store.observe({ type: 'payment', payment: lunch(), completed: false, atMs: T });
    const f = store.features(lunch(), T + 1_000);
    expect([f.payer_count_1m, f.payer_history_count, f.first_payment_to_payee, f.payee_history_count]).toEqual([1, 0, true, 0]);
  });
});
