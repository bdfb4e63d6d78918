// Each fraud scenario of issue 6 on a hand-made example, through the feature store and the default
// rule set; and the legitimate look-alikes that must not be blocked (declined or held).

import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET, InMemoryFeatureStore, decide, mustLoadRuleSet, type Decision, type RiskPayment } from '../../src/core/risk/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T = Date.UTC(2025, 2, 10, 4, 0, 0); // a Monday, noon in Shanghai
const YUAN = 100;
const rules = mustLoadRuleSet(DEFAULT_RULE_SET);

/** A small world: accounts with histories, and payments decided and observed as the service would. */
class World {
  readonly store = new InMemoryFeatureStore();

  person(id: string, ageDays: number, at = T): this {
    this.store.observe({ type: 'account_opened', accountId: id, atMs: at - ageDays * DAY });
    this.store.observe({ type: 'device_bound', payerId: id, deviceId: `${id}-phone`, via: 'signup', atMs: at - ageDays * DAY });
    return this;
  }

  merchant(id: string, ageDays: number): this {
    this.store.observe({ type: 'account_opened', accountId: id, atMs: T - ageDays * DAY });
    return this;
  }

  /** Decides a payment at atMs; observes it as completed when approved (or challenged and passed, if `passes`). */
  pay(atMs: number, p: Partial<RiskPayment> & Pick<RiskPayment, 'payerId' | 'payeeId' | 'amountMinor'>, passes = true): Decision {
    const payment = payment_(p);
    const d = decide(rules, this.store.features(payment, atMs), { payer: payment.payerId, payee: payment.payeeId, device: payment.deviceId, code: payment.codeId, ip: payment.ip });
    const completed = d.outcome === 'approve' || (d.outcome === 'challenge' && passes);
    this.store.observe({ type: 'payment', payment, completed, atMs });
    return d;
  }

  /** Thirty days of lunches at one stall, and a few transfers to a friend: an ordinary history. */
  history(payer: string, stall = 'noodles', place = 'cell-7'): this {
    for (let d = 30; d >= 1; d--) this.pay(T - d * DAY, { payerId: payer, payeeId: stall, amountMinor: BigInt(25 * YUAN), ...atStall(stall, place) });
    return this;
  }
}

function payment_(p: Partial<RiskPayment> & Pick<RiskPayment, 'payerId' | 'payeeId' | 'amountMinor'>): RiskPayment {
  return {
    kind: 'p2p',
    deviceId: `${p.payerId}-phone`,
    ip: `${p.payerId}-home`,
    payeeKind: 'person',
    merchantTier: undefined,
    codeId: undefined,
    codeKind: 'none',
    codeVerdict: 'none',
    currency: 'CNY',
    placeId: undefined,
    ...p,
  };
}

const atStall = (stall: string, place: string) =>
  ({ kind: 'merchant', payeeKind: 'business', merchantTier: 'low', codeId: `${stall}-s`, codeKind: 'static', codeVerdict: 'genuine', placeId: place }) as const;
const atPersonalCode = (owner: string, place: string | undefined) =>
  ({ kind: 'personal_code', payeeKind: 'person', codeId: `pc-${owner}`, codeKind: 'personal', codeVerdict: 'genuine', placeId: place }) as const;

const blocked = (d: Decision) => d.outcome === 'review' || d.outcome === 'decline';
const ids = (d: Decision) => d.hits.map((h) => h.ruleId);

describe('fraud scenarios fire their rules', () => {
  it('account takeover: new device by re-verification, PIN reset, then payments to new payees', () => {
    // The thief's payees pay for things themselves (a payee kept only to receive is held on its own: see below).
    const w = new World().person('alice', 800).history('alice');
    for (const payee of ['thief-a', 'thief-b', 'thief-c']) w.person(payee, 20).history(payee, 'kiosk', 'cell-99');
    w.store.observe({ type: 'device_bound', payerId: 'alice', deviceId: 'thief-phone', via: 'reverification', atMs: T });
    w.store.observe({ type: 'credentials_changed', payerId: 'alice', what: 'pin_reset', atMs: T + 5 * MIN });
    const thief = { deviceId: 'thief-phone', ip: 'proxy' };
    const first = w.pay(T + 30 * MIN, { payerId: 'alice', payeeId: 'thief-a', amountMinor: BigInt(190 * YUAN), ...thief }, false);
    expect(first.outcome).toBe('challenge');
    expect(ids(first)).toContain('ato.new-credentials-new-payee');
    expect(first.reasons.length).toBeGreaterThan(0);
    w.pay(T + 35 * MIN, { payerId: 'alice', payeeId: 'thief-b', amountMinor: BigInt(190 * YUAN), ...thief }, false);
    const third = w.pay(T + 40 * MIN, { payerId: 'alice', payeeId: 'thief-c', amountMinor: BigInt(190 * YUAN), ...thief }, false);
    // A step-up the thief cannot pass (and, within 72 hours of the PIN reset, the service holds the
    // payment even when the PIN is given: test/payments/risk.test.ts).
    expect(third.outcome).toBe('challenge');
    expect(ids(third)).toContain('ato.new-credentials-payee-spree');
  });

  it('micro-payment probing: many accounts on one farm device testing with cents', () => {
    const w = new World().person('collector', 3);
    const outcomes: Decision[] = [];
    for (let i = 0; i < 4; i++) {
      const victim = `v${i}`;
      w.person(victim, 500);
      w.store.observe({ type: 'device_bound', payerId: victim, deviceId: 'farm-1', via: 'reverification', atMs: T + i * MIN });
      outcomes.push(w.pay(T + i * MIN + 30_000, { payerId: victim, payeeId: 'collector', amountMinor: 1n, deviceId: 'farm-1', ip: 'proxy' }, false));
    }
    expect(outcomes[0]!.outcome).toBe('challenge');
    expect(ids(outcomes[0]!)).toContain('probe.micro-from-new-device');
    expect(blocked(outcomes[2]!)).toBe(true);
    expect(ids(outcomes[2]!)).toContain('probe.shared-device');
  });

  it('telecom fraud: a first large transfer to a young personal account is held, though the victim would pass a step-up', () => {
    const w = new World().person('bob', 1200).person('collector', 10).history('bob');
    const d = w.pay(T, { payerId: 'bob', payeeId: 'collector', amountMinor: BigInt(8_000 * YUAN) });
    expect(d.outcome).toBe('decline');
    expect(ids(d)).toEqual(expect.arrayContaining(['telecom.large-first-to-young-person', 'telecom.far-above-habit-to-person']));
    expect(d.reasons.join(' ')).toMatch(/police, banks or customer service/);
  });

  it('mule account: money from several unrelated payers passed on within hours', () => {
    const w = new World().person('mule', 12).person('next-layer', 5);
    for (let i = 0; i < 4; i++) {
      w.person(`payer${i}`, 600);
      w.store.observe({ type: 'payment', payment: payment_({ payerId: `payer${i}`, payeeId: 'mule', amountMinor: BigInt(900 * YUAN) }), completed: true, atMs: T + i * HOUR });
    }
    const out = w.pay(T + 5 * HOUR, { payerId: 'mule', payeeId: 'next-layer', amountMinor: BigInt(3_400 * YUAN) });
    expect(blocked(out)).toBe(true);
    expect(ids(out)).toEqual(expect.arrayContaining(['mule.pass-through-to-person', 'mule.young-pass-through']));
  });

  it('recruited mule: an old account with a history that strangers pay for nothing is held from the third such transfer, and so is its spending', () => {
    const w = new World().person('student', 900).history('student').merchant('gold', 2000);
    // A stranger bought the student's old bike a week ago: strangers paying is not new for this account.
    w.person('bike-buyer', 700).pay(T - 7 * DAY, { payerId: 'bike-buyer', payeeId: 'student', amountMinor: BigInt(300 * YUAN) });
    for (let i = 0; i < 2; i++) {
      w.person(`victim${i}`, 600).history(`victim${i}`);
      expect(blocked(w.pay(T + i * HOUR, { payerId: `victim${i}`, payeeId: 'student', amountMinor: BigInt(700 * YUAN) }))).toBe(false);
    }
    w.person('victim2', 600).history('victim2');
    const third = w.pay(T + 3 * HOUR, { payerId: 'victim2', payeeId: 'student', amountMinor: BigInt(150 * YUAN) });
    expect(third.outcome).toBe('review');
    expect(ids(third)).toContain('mule.strangers-paying-for-nothing');
    // Attempts count, the held one too: the money was offered for nothing all the same.
    const f = w.store.features(payment_({ payerId: 'student', payeeId: 'gold', amountMinor: 1n }), T + 4 * HOUR);
    expect([f.payer_unexplained_transfers_48h, f.payer_unexplained_in_48h_minor]).toEqual([3, 1_550 * YUAN]);
    // Spending it at once on gold, a merchant the student never paid.
    const spend = w.pay(T + 4 * HOUR, { payerId: 'student', payeeId: 'gold', amountMinor: BigInt(1_200 * YUAN), kind: 'merchant', payeeKind: 'business', merchantTier: 'standard', codeKind: 'dynamic', codeVerdict: 'genuine' });
    expect(blocked(spend)).toBe(true);
    expect(ids(spend)).toContain('mule.spending-strangers-money');
    // Lunch at the usual stall is not affected.
    expect(w.pay(T + 4 * HOUR + MIN, { payerId: 'student', payeeId: 'noodles', amountMinor: BigInt(25 * YUAN), ...atStall('noodles', 'cell-7') }).outcome).toBe('approve');
  });

  it('mule account: a second stranger paying for nothing is held when the two bring 2,000 yuan or more', () => {
    const w = new World().person('courier', 700).history('courier').person('v1', 500).history('v1').person('v2', 500).history('v2');
    expect(blocked(w.pay(T, { payerId: 'v1', payeeId: 'courier', amountMinor: BigInt(1_200 * YUAN) }))).toBe(false);
    const second = w.pay(T + 2 * HOUR, { payerId: 'v2', payeeId: 'courier', amountMinor: BigInt(1_000 * YUAN) });
    expect(blocked(second)).toBe(true);
    expect(ids(second)).toContain('mule.strangers-paying-large-sums');
  });

  it('recruited mule: strangers suddenly paying an account that no stranger paid in the month before are held from the second, 500 yuan or more between them', () => {
    const w = new World().person('pensioner', 2000).history('pensioner');
    w.person('v1', 600).history('v1').person('v2', 600).history('v2');
    expect(w.pay(T, { payerId: 'v1', payeeId: 'pensioner', amountMinor: BigInt(350 * YUAN) }).outcome).toBe('approve');
    const second = w.pay(T + 3 * HOUR, { payerId: 'v2', payeeId: 'pensioner', amountMinor: BigInt(200 * YUAN) });
    expect(second.outcome).toBe('review');
    expect(ids(second)).toContain('mule.strangers-suddenly-paying');
    // A seller whom strangers paid now and then over the month: two buyers in a day are trade.
    const s = new World().person('seller', 2000).history('seller');
    for (let i = 0; i < 3; i++) s.person(`past${i}`, 600).pay(T - (20 - 5 * i) * DAY, { payerId: `past${i}`, payeeId: 'seller', amountMinor: BigInt(150 * YUAN) });
    expect(s.store.features(payment_({ payerId: 'x', payeeId: 'seller', amountMinor: 1n }), T).payee_stranger_receipts_before_30d).toBe(3);
    s.person('b1', 600).history('b1').person('b2', 600).history('b2');
    expect(blocked(s.pay(T, { payerId: 'b1', payeeId: 'seller', amountMinor: BigInt(350 * YUAN) }))).toBe(false);
    expect(blocked(s.pay(T + 3 * HOUR, { payerId: 'b2', payeeId: 'seller', amountMinor: BigInt(200 * YUAN) }))).toBe(false);
  });

  it('an account kept only to receive: a stranger transferring 100 yuan or more to an account between a week and six months old that never pays for anything is held', () => {
    const w = new World().person('collector', 25).person('payer', 700).history('payer');
    const into = w.pay(T, { payerId: 'payer', payeeId: 'collector', amountMinor: BigInt(150 * YUAN) });
    expect(into.outcome).toBe('review');
    expect(ids(into)).toContain('mule.receive-only-account');
    // The same age, but a person who lives on the account (lunches, fares) is paid like anyone.
    const lives = new World().person('newcomer', 25).history('newcomer').person('payer', 700).history('payer');
    expect(lives.store.features(payment_({ payerId: 'payer', payeeId: 'newcomer', amountMinor: 1n }), T).payee_payments_made).toBe(30);
    expect(blocked(lives.pay(T, { payerId: 'payer', payeeId: 'newcomer', amountMinor: BigInt(150 * YUAN) }))).toBe(false);
    // An account opened yesterday (or any account of a deployment launched this week) has had no time to pay for anything.
    const joined = new World().person('joined', 1).person('payer', 700).history('payer');
    expect(blocked(joined.pay(T, { payerId: 'payer', payeeId: 'joined', amountMinor: BigInt(150 * YUAN) }))).toBe(false);
  });

  it('QR sticker swap without location: a personal code of a young account that never pays for anything, paid by a walk-in, is held', () => {
    const w = new World().person('fraudster', 40).person('walk-in', 800).history('walk-in');
    const d = w.pay(T, { payerId: 'walk-in', payeeId: 'fraudster', amountMinor: BigInt(32 * YUAN), ...atPersonalCode('fraudster', undefined) });
    expect(d.outcome).toBe('review');
    expect(ids(d)).toContain('swap.receive-only-personal-code');
    expect(d.reasons.join(' ')).toMatch(/check the name on the code/);
    // A young stall whose owner pays for things with the same account is not a receive-only account.
    const stall = new World().person('young-stall', 40).history('young-stall').person('walk-in', 800).history('walk-in');
    expect(blocked(stall.pay(T, { payerId: 'walk-in', payeeId: 'young-stall', amountMinor: BigInt(32 * YUAN), ...atPersonalCode('young-stall', undefined) }))).toBe(false);
  });

  it("QR sticker swap: a personal code that a stall's regulars start paying at the stall", () => {
    // A fraudster who also pays for things with the account (one kept only to receive is held on its own: see below).
    const w = new World().merchant('noodles', 900).person('fraudster', 40).history('fraudster', 'kiosk', 'cell-99');
    for (const r of ['r1', 'r2', 'r3', 'r4']) w.person(r, 700).history(r, 'noodles', 'cell-7');
    const swapped = (payer: string, at: number) => w.pay(at, { payerId: payer, payeeId: 'fraudster', amountMinor: BigInt(25 * YUAN), ...atPersonalCode('fraudster', 'cell-7') });
    // A personal code never used before, paid instead of the usual shop: held, with the reason shown.
    const first = swapped('r1', T);
    expect(first.outcome).toBe('review');
    expect(ids(first)).toContain('swap.new-personal-code-diverted');
    expect(first.reasons.join(' ')).toMatch(/instead of the shop you usually pay here/);
    swapped('r2', T + 10 * MIN);
    const third = swapped('r3', T + 20 * MIN);
    expect(third.outcome).toBe('decline');
    expect(ids(third)).toContain('swap.personal-code-diverting');
    // A customer who does not share location is caught by the report the shop files.
    w.store.observe({ type: 'report', payeeId: undefined, codeId: 'pc-fraudster', atMs: T + 30 * MIN });
    w.person('walk-in', 300);
    const reported = w.pay(T + 40 * MIN, { payerId: 'walk-in', payeeId: 'fraudster', amountMinor: BigInt(25 * YUAN), ...atPersonalCode('fraudster', undefined) });
    expect(blocked(reported)).toBe(true);
    expect(ids(reported)).toContain('report.code-reported');
  });

  it('refund abuse and merchant collusion: a young merchant refunding much of what it takes', () => {
    const w = new World().merchant('shell', 20);
    const sale = (payer: string, at: number) => ({ payerId: payer, payeeId: 'shell', amountMinor: BigInt(1_500 * YUAN), kind: 'merchant', payeeKind: 'business', merchantTier: 'standard', codeKind: 'dynamic', codeVerdict: 'genuine' }) as const;
    // A few real sales first (the first sales of a merchant this young, 1,000 yuan or more from
    // strangers, are held by collusion.new-merchant-large-first-sales: see below).
    for (let i = 0; i < 6; i++) {
      w.person(`customer${i}`, 400);
      w.pay(T - (15 - i) * DAY, { payerId: `customer${i}`, payeeId: 'shell', amountMinor: BigInt(80 * YUAN), kind: 'merchant', payeeKind: 'business', merchantTier: 'standard', codeKind: 'dynamic', codeVerdict: 'genuine' });
    }
    // Recruited ring members: ordinary accounts with a history of their own.
    for (let i = 0; i < 8; i++) {
      w.person(`ring${i}`, 300).history(`ring${i}`);
      w.pay(T + i * HOUR, sale(`ring${i}`, T + i * HOUR));
      if (i < 6) w.store.observe({ type: 'refund', payerId: `ring${i}`, payeeId: 'shell', amountMinor: BigInt(1_200 * YUAN), atMs: T + i * HOUR + 30 * MIN });
    }
    w.person('ring9', 300).history('ring9');
    const next = w.pay(T + 10 * HOUR, sale('ring9', T + 10 * HOUR));
    expect(blocked(next)).toBe(true);
    expect(ids(next)).toContain('collusion.refund-heavy-merchant');
    // A brand-new merchant's first large sale from a stranger is held on its own.
    const fresh = new World().merchant('fresh-shell', 10).person('buyer', 400).history('buyer');
    const first = fresh.pay(T, { ...sale('buyer', T), payeeId: 'fresh-shell' });
    expect(first.outcome).toBe('review');
    expect(ids(first)).toContain('collusion.new-merchant-large-first-sales');
  });

  it('merchant collusion: a young merchant whose few buyers each spend thousands a week is held; a phone shop past four months with many one-off buyers is not', () => {
    const sale = (payer: string, payee: string, yuan: number) =>
      ({ payerId: payer, payeeId: payee, amountMinor: BigInt(yuan * YUAN), kind: 'merchant', payeeKind: 'business', merchantTier: 'standard', codeKind: 'dynamic', codeVerdict: 'genuine' }) as const;
    const w = new World().merchant('shell', 60).merchant('phones', 150).merchant('new-phones', 60);
    // Four recruited buyers with histories, 3,000 yuan each over the week (their sales went through).
    for (let i = 0; i < 4; i++) {
      w.person(`ring${i}`, 400).history(`ring${i}`);
      w.store.observe({ type: 'payment', payment: payment_(sale(`ring${i}`, 'shell', 3_000)), completed: true, atMs: T - (6 - i) * DAY });
    }
    // ring0 buys again: a repeat large purchase where takings per buyer are high.
    const next = w.pay(T, sale('ring0', 'shell', 2_500));
    expect(blocked(next)).toBe(true);
    expect(ids(next)).toEqual(expect.arrayContaining(['collusion.few-payers-large-takings', 'collusion.repeat-large-young-merchant']));
    // A member opened for the job: a month old, no payments of its own.
    w.person('ring-fresh', 30);
    const fresh = w.pay(T + HOUR, sale('ring-fresh', 'shell', 300));
    expect(blocked(fresh)).toBe(true);
    expect(ids(fresh)).toContain('collusion.empty-account-young-merchant');
    // Fourteen customers over a week buying a 1,500-yuan phone each: 1,500 per customer.
    for (const shop of ['phones', 'new-phones']) {
      for (let i = 0; i < 14; i++) {
        w.person(`${shop}-buyer${i}`, 500).history(`${shop}-buyer${i}`);
        w.store.observe({ type: 'payment', payment: payment_(sale(`${shop}-buyer${i}`, shop, 1_500)), completed: true, atMs: T - 7 * DAY + i * 12 * HOUR });
      }
    }
    w.person('walk-in', 500).history('walk-in');
    const phone = w.pay(T + HOUR, sale('walk-in', 'phones', 1_500));
    expect(ids(phone)).not.toContain('collusion.few-payers-large-takings');
    expect(blocked(phone)).toBe(false);
    // The price, on purpose: the same shop under four months old looks like a ring and is held.
    const young = w.pay(T + 2 * HOUR, sale('walk-in', 'new-phones', 1_500));
    expect(ids(young)).toContain('collusion.few-payers-large-takings');
  });

  it('merchant collusion: after three brand-new, near-empty accounts paid a young merchant 200 yuan or more this week, its sizeable sales are held, from old accounts too', () => {
    const sale = (payer: string, yuan: number) =>
      ({ payerId: payer, payeeId: 'front', amountMinor: BigInt(yuan * YUAN), kind: 'merchant', payeeKind: 'business', merchantTier: 'standard', codeKind: 'static', codeVerdict: 'genuine' }) as const;
    // A platform running for years (its first account), where accounts weeks old stand out.
    const w = new World().merchant('front', 45).merchant('metro', 3000);
    for (let i = 0; i < 2; i++) {
      w.person(`opened${i}`, 20 + i);
      expect(blocked(w.pay(T + i * DAY, sale(`opened${i}`, 320)))).toBe(false);
    }
    w.person('opened2', 8);
    const third = w.pay(T + 2 * DAY, sale('opened2', 350));
    expect(third.outcome).toBe('review');
    expect(ids(third)).toContain('collusion.new-accounts-buying-large');
    w.person('recruited', 900).history('recruited');
    expect(ids(w.pay(T + 3 * DAY, sale('recruited', 600)))).toContain('collusion.new-accounts-buying-large');
    // Small purchases by the same new accounts do not count, and small sales are not held.
    const shop = new World().merchant('new-bakery', 45);
    for (let i = 0; i < 5; i++) shop.person(`neighbour${i}`, 10).pay(T + i * HOUR, { ...sale(`neighbour${i}`, 30), payeeId: 'new-bakery' });
    expect(shop.store.features(payment_({ ...sale('x', 1), payeeId: 'new-bakery' }), T + DAY).payee_new_account_payers_7d).toBe(0);
    // A deployment launched 45 days ago (a campus, the demo): every account is new, so new buyers are nobody's ring.
    const launch = new World().merchant('campus-shop', 45);
    for (let i = 0; i < 3; i++) launch.person(`student${i}`, 20 + i);
    const sales = [0, 1, 2].map((i) => launch.pay(T + i * DAY, { ...sale(`student${i}`, 320), payeeId: 'campus-shop' }));
    expect(launch.store.features(payment_({ ...sale('student2', 320), payeeId: 'campus-shop' }), T + 2 * DAY).payee_new_account_payers_7d).toBe(3);
    expect(sales.map(blocked)).toEqual([false, false, false]);
  });

  it('accounts opened for fraud: an empty young account paying a stranger a large sum is held; its first lunch is not', () => {
    const w = new World().person('fresh', 12).merchant('shell', 20).merchant('noodles', 900);
    const lunch = w.pay(T, { payerId: 'fresh', payeeId: 'noodles', amountMinor: BigInt(25 * YUAN), ...atStall('noodles', 'cell-7') });
    expect(lunch.outcome).toBe('approve');
    const sale = w.pay(T + HOUR, { payerId: 'fresh', payeeId: 'shell', amountMinor: BigInt(2_400 * YUAN), kind: 'merchant', payeeKind: 'business', merchantTier: 'standard', codeKind: 'dynamic', codeVerdict: 'genuine' });
    expect(blocked(sale)).toBe(true);
    expect(ids(sale)).toContain('mule.empty-account-large-payment');
    // Money into such an account: a stranger's sizeable first transfer to a person days old is held.
    w.person('mule', 5).person('payer', 700).history('payer');
    const into = w.pay(T + 2 * HOUR, { payerId: 'payer', payeeId: 'mule', amountMinor: BigInt(400 * YUAN) });
    expect(blocked(into)).toBe(true);
    expect(ids(into)).toContain('mule.young-account-first-receipt');
  });

  it('a counterfeit code is declined whoever pays it', () => {
    const w = new World().person('carol', 400).history('carol');
    const d = w.pay(T, { payerId: 'carol', payeeId: 'noodles', amountMinor: BigInt(25 * YUAN), ...atStall('noodles', 'cell-7'), codeVerdict: 'counterfeit' });
    expect(d.outcome).toBe('decline');
  });
});

describe('legitimate look-alikes are not blocked', () => {
  it("a customer's new phone (approved by the old one, or after losing it): lunch, a new stall, a friend", () => {
    for (const via of ['approval', 'reverification'] as const) {
      const w = new World().person('dan', 900).person('friend', 700).merchant('noodles', 900).merchant('dumplings', 400).history('dan');
      w.store.observe({ type: 'device_bound', payerId: 'dan', deviceId: 'dan-new', via, atMs: T });
      const phone = { deviceId: 'dan-new' };
      expect(w.pay(T + HOUR, { payerId: 'dan', payeeId: 'noodles', amountMinor: BigInt(26 * YUAN), ...atStall('noodles', 'cell-7'), ...phone }).outcome).toBe('approve');
      // A new stall: approved from a phone the old one approved; from a phone added by re-verifying
      // the identity (the path a thief takes) the first day asks for a step-up, which Dan passes.
      const stall = w.pay(T + 6 * HOUR, { payerId: 'dan', payeeId: 'dumplings', amountMinor: BigInt(38 * YUAN), ...atStall('dumplings', 'cell-9'), ...phone });
      expect([stall.outcome, ids(stall)]).toEqual(via === 'approval' ? ['approve', []] : ['challenge', ['ato.reverified-device-new-payee']]);
      // A sizeable transfer to someone new from a new phone asks for a step-up, which Dan passes.
      const transfer = w.pay(T + 8 * HOUR, { payerId: 'dan', payeeId: 'friend', amountMinor: BigInt(300 * YUAN), ...phone });
      expect(transfer.outcome).toBe('challenge');
    }
  });

  it('a new favourite noodle stall next to the usual one, with a business code or a personal one', () => {
    const w = new World().merchant('noodles', 900).merchant('new-noodles', 6).person('stall-owner', 2000);
    for (const r of ['e1', 'e2', 'e3']) w.person(r, 700).history(r, 'noodles', 'cell-7');
    for (const [i, r] of ['e1', 'e2', 'e3'].entries()) {
      const d = w.pay(T + i * HOUR, { payerId: r, payeeId: 'new-noodles', amountMinor: BigInt(24 * YUAN), ...atStall('new-noodles', 'cell-7') });
      expect(d.outcome).toBe('approve');
    }
    // A stall paid through its owner's personal code for months: the first visit is a warning, not a block.
    for (let i = 0; i < 20; i++) {
      w.person(`local${i}`, 500);
      w.pay(T - (40 - i) * DAY, { payerId: `local${i}`, payeeId: 'stall-owner', amountMinor: BigInt(15 * YUAN), ...atPersonalCode('stall-owner', 'cell-7') });
    }
    const personal = w.pay(T + 5 * HOUR, { payerId: 'e1', payeeId: 'stall-owner', amountMinor: BigInt(18 * YUAN), ...atPersonalCode('stall-owner', 'cell-7') });
    expect(blocked(personal)).toBe(false);
    // Once it is a favourite (paid on another day), nothing fires.
    const again = w.pay(T + 2 * DAY, { payerId: 'e1', payeeId: 'stall-owner', amountMinor: BigInt(18 * YUAN), ...atPersonalCode('stall-owner', 'cell-7') });
    expect(again.outcome).toBe('approve');
  });

  it('a first transfer to a friend, and a group dinner paid back by friends then spent', () => {
    const w = new World().person('erin', 900).person('frank', 900).merchant('hotpot', 1000).history('erin');
    expect(w.pay(T, { payerId: 'erin', payeeId: 'frank', amountMinor: BigInt(200 * YUAN) }).outcome).toBe('approve');
    // Erin pays the whole dinner, four friends pay her back, then she pays a new friend.
    w.pay(T + 8 * HOUR, { payerId: 'erin', payeeId: 'hotpot', amountMinor: BigInt(900 * YUAN), kind: 'merchant', payeeKind: 'business', merchantTier: 'low', codeKind: 'dynamic', codeVerdict: 'genuine' });
    for (let i = 0; i < 4; i++) {
      w.person(`guest${i}`, 500);
      w.pay(T + 9 * HOUR + i * MIN, { payerId: `guest${i}`, payeeId: 'erin', amountMinor: BigInt(180 * YUAN) });
    }
    // The dinner left before the money came back, so a transfer of 300 is 42% of the receipts
    // passed on, not the 100% a sent-over-received ratio would say.
    w.person('gina', 800);
    const after = w.pay(T + 20 * HOUR, { payerId: 'erin', payeeId: 'gina', amountMinor: BigInt(300 * YUAN) });
    expect(w.store.features(payment_({ payerId: 'erin', payeeId: 'gina', amountMinor: 1n }), T + 20 * HOUR).payer_fast_out_after).toBeCloseTo(300 / 720);
    expect(blocked(after)).toBe(false);
  });

  it("a group dinner at a street stall's personal code paid back by friends, and a seller's one buyer, are not money for nothing", () => {
    const w = new World().person('ivan', 900).person('stall-owner', 1500).history('ivan');
    // Far above his usual lunch, to someone new: a step-up he passes.
    expect(blocked(w.pay(T, { payerId: 'ivan', payeeId: 'stall-owner', amountMinor: BigInt(600 * YUAN), ...atPersonalCode('stall-owner', undefined) }))).toBe(false);
    for (let i = 0; i < 4; i++) {
      w.person(`friend${i}`, 500);
      expect(blocked(w.pay(T + HOUR + i * MIN, { payerId: `friend${i}`, payeeId: 'ivan', amountMinor: BigInt(120 * YUAN) }))).toBe(false);
    }
    const f = w.store.features(payment_({ payerId: 'ivan', payeeId: 'someone', amountMinor: 1n }), T + 2 * HOUR);
    expect([f.payer_unexplained_transfers_48h, f.payer_unexplained_in_48h_minor]).toEqual([0, 0]);
    // A fifth guest who pays more than the bill left: only what goes beyond it is unexplained.
    w.person('friend4', 500);
    w.pay(T + 2 * HOUR, { payerId: 'friend4', payeeId: 'ivan', amountMinor: BigInt(200 * YUAN) });
    const g = w.store.features(payment_({ payerId: 'ivan', payeeId: 'someone', amountMinor: 1n }), T + 3 * HOUR);
    expect([g.payer_unexplained_transfers_48h, g.payer_unexplained_in_48h_minor]).toEqual([1, 80 * YUAN]);
    // Selling an old bike to a stranger, then a new shop: one stranger's money is not a mule's.
    w.person('bike-buyer', 700).merchant('sports', 900);
    w.pay(T + 5 * HOUR, { payerId: 'bike-buyer', payeeId: 'ivan', amountMinor: BigInt(900 * YUAN) });
    const shop = w.pay(T + 6 * HOUR, { payerId: 'ivan', payeeId: 'sports', amountMinor: BigInt(400 * YUAN), kind: 'merchant', payeeKind: 'business', merchantTier: 'low', codeKind: 'dynamic', codeVerdict: 'genuine' });
    expect(blocked(shop)).toBe(false);
  });

  it("a new customer's first purchases at a shop opened this month, 300 yuan with a dynamic code", () => {
    const w = new World().person('newcomer', 2).merchant('new-shop', 10);
    for (let i = 0; i < 8; i++) w.person(`c${i}`, 600).pay(T - DAY + i * HOUR, { payerId: `c${i}`, payeeId: 'new-shop', amountMinor: BigInt(60 * YUAN), kind: 'merchant', payeeKind: 'business', merchantTier: 'standard', codeKind: 'dynamic', codeVerdict: 'genuine' });
    const first = w.pay(T, { payerId: 'newcomer', payeeId: 'new-shop', amountMinor: BigInt(300 * YUAN), kind: 'merchant', payeeKind: 'business', merchantTier: 'standard', codeKind: 'dynamic', codeVerdict: 'genuine' });
    expect(blocked(first)).toBe(false);
  });

  it('a deployment launched this month: youth is no signal when every account is young', () => {
    // The platform's first account is ten days old: a campus or a new scheme in its first weeks.
    const w = new World().merchant('first-shop', 10).merchant('electronics', 8).person('student', 5).person('friend', 3);
    const laptop = w.pay(T, { payerId: 'student', payeeId: 'electronics', amountMinor: BigInt(1_200 * YUAN), kind: 'merchant', payeeKind: 'business', merchantTier: 'standard', codeKind: 'dynamic', codeVerdict: 'genuine' });
    expect(w.store.features(payment_({ payerId: 'student', payeeId: 'electronics', amountMinor: 1n }), T).platform_age_days).toBeCloseTo(10);
    expect([laptop.outcome, ids(laptop)]).toEqual(['approve', []]);
    expect(blocked(w.pay(T + HOUR, { payerId: 'student', payeeId: 'friend', amountMinor: BigInt(1_500 * YUAN) }))).toBe(false);
    // The same payments on a platform running for years are held: a young account's large first
    // purchase at a merchant days old, and a first large transfer to an account days old.
    const mature = new World().merchant('metro', 3000).merchant('electronics', 8).person('student', 5).person('friend', 3);
    const held = mature.pay(T, { payerId: 'student', payeeId: 'electronics', amountMinor: BigInt(1_200 * YUAN), kind: 'merchant', payeeKind: 'business', merchantTier: 'standard', codeKind: 'dynamic', codeVerdict: 'genuine' });
    expect(ids(held)).toEqual(expect.arrayContaining(['mule.empty-account-large-payment', 'collusion.new-merchant-large-first-sales']));
    expect(blocked(mature.pay(T + HOUR, { payerId: 'student', payeeId: 'friend', amountMinor: BigInt(1_500 * YUAN) }))).toBe(true);
  });

  it('rent to a landlord paid for months', () => {
    const w = new World().person('hana', 900).person('landlord', 3000);
    w.pay(T - 31 * DAY, { payerId: 'hana', payeeId: 'landlord', amountMinor: BigInt(4_000 * YUAN) });
    w.history('hana');
    expect(w.pay(T, { payerId: 'hana', payeeId: 'landlord', amountMinor: BigInt(4_000 * YUAN) }).outcome).toBe('approve');
  });

});

describe("analysts' labels feed back", () => {
  it("a collector confirmed as fraud: strangers' payments to it are declined, its family still pays it; the mule's own payments out to strangers are declined", () => {
    const w = new World().person('collector', 20).person('mum', 900).person('victim', 900).person('next', 10).history('victim').history('mum').history('collector', 'kiosk', 'cell-99');
    w.pay(T - 3 * DAY, { payerId: 'mum', payeeId: 'collector', amountMinor: BigInt(200 * YUAN) });
    expect(w.pay(T, { payerId: 'victim', payeeId: 'collector', amountMinor: BigInt(50 * YUAN) }).outcome).toBe('approve');
    w.store.observe({ type: 'label', verdict: 'fraud', culprits: { accountIds: ['collector'], deviceIds: [], codeIds: [] }, atMs: T + HOUR });
    const after = w.pay(T + 2 * HOUR, { payerId: 'victim', payeeId: 'collector', amountMinor: BigInt(50 * YUAN) });
    expect([after.outcome, ids(after)]).toEqual(['decline', ['label.payee-confirmed-fraud']]);
    expect(after.reasons.length).toBe(1);
    expect(w.pay(T + 2 * HOUR, { payerId: 'mum', payeeId: 'collector', amountMinor: BigInt(100 * YUAN) }).outcome).toBe('approve');
    const out = w.pay(T + 3 * HOUR, { payerId: 'collector', payeeId: 'next', amountMinor: BigInt(100 * YUAN) });
    expect(ids(out)).toContain('label.payer-confirmed-fraud');
    expect(out.outcome).toBe('decline');
  });

  it("a thief's device: payments to anyone new are declined, the robbed customer's usual stall is still paid", () => {
    const w = new World().person('alice', 800).person('stranger', 400).history('alice');
    w.store.observe({ type: 'label', verdict: 'fraud', culprits: { accountIds: [], deviceIds: ['alice-phone'], codeIds: [] }, atMs: T });
    expect(ids(w.pay(T + HOUR, { payerId: 'alice', payeeId: 'stranger', amountMinor: BigInt(30 * YUAN) }))).toContain('label.device-confirmed-fraud');
    expect(w.pay(T + HOUR, { payerId: 'alice', payeeId: 'noodles', amountMinor: BigInt(25 * YUAN), ...atStall('noodles', 'cell-7') }).outcome).toBe('approve');
  });

  it('a long-standing stall flagged by one analyst asks new customers to confirm rather than turning them away; clearing the label ends it', () => {
    const w = new World().person('owner', 900).person('newcomer', 500);
    for (let i = 0; i < 120; i++) {
      w.person(`regular${i}`, 600);
      w.pay(T - (200 - i) * DAY, { payerId: `regular${i}`, payeeId: 'owner', amountMinor: BigInt(15 * YUAN), ...atPersonalCode('owner', 'cell-3') });
    }
    w.store.observe({ type: 'label', verdict: 'fraud', culprits: { accountIds: ['owner'], deviceIds: [], codeIds: [] }, atMs: T });
    const flagged = w.pay(T + HOUR, { payerId: 'newcomer', payeeId: 'owner', amountMinor: BigInt(15 * YUAN), ...atPersonalCode('owner', 'cell-3') });
    expect([flagged.outcome, ids(flagged)]).toEqual(['challenge', ['label.established-payee-flagged']]);
    w.store.observe({ type: 'label', verdict: 'legitimate', payerId: 'newcomer', payeeId: 'owner', atMs: T + 2 * HOUR });
    w.person('another', 500);
    expect(w.pay(T + 3 * HOUR, { payerId: 'another', payeeId: 'owner', amountMinor: BigInt(15 * YUAN), ...atPersonalCode('owner', 'cell-3') }).outcome).toBe('approve');
  });

  it('a code confirmed as fraud is declined for everyone new', () => {
    const w = new World().person('sticker', 400).person('diner', 700);
    w.store.observe({ type: 'label', verdict: 'fraud', culprits: { accountIds: [], deviceIds: [], codeIds: ['pc-sticker'] }, atMs: T });
    expect(ids(w.pay(T + HOUR, { payerId: 'diner', payeeId: 'sticker', amountMinor: BigInt(20 * YUAN), ...atPersonalCode('sticker', 'cell-9') }))).toContain('label.code-confirmed-fraud');
  });
});
