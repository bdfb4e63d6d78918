// A seeded generator of labelled payment traffic for the risk bench (issue 6): a small city of
// consumers with daily rhythms (commutes, breakfasts, lunches at favourite stalls, groceries,
// friends, rent, group dinners), merchants of different sizes, people who get new phones, try new
// stalls, sell their old things, open accounts; plus each fraud scenario of the issue.
//
// Honesty rules: this file does not import or read the rules (src/core/risk/rules.ts,
// default-rules.ts); every scenario parameter is drawn from a range written down in RANGES below,
// from how the fraud works, not from any threshold; and each fraud payment says whether the person
// who authorises it can pass a step-up challenge (a thief cannot; a deceived victim or an account's
// own owner can).
//
// The world is a simulation driven by the bench: `next()` gives the next event or payment in time
// order, and `settle(item, completed)` tells the world whether the money moved, so that mules
// forward only what reached them and merchants refund and settle only real sales.

import type { CodeKind, Culprits, MerchantTier, RiskEvent, RiskPayment } from '../src/core/risk/types.js';
import { Sfc32 } from './random.js';

export const SCENARIOS = [
  'account_takeover',
  'qr_sticker_swap',
  'telecom_fraud',
  'mule_accounts',
  'micro_payment_probing',
  'merchant_collusion',
] as const;
export type Scenario = (typeof SCENARIOS)[number];
export type Label = 'legitimate' | Scenario;

export type TrafficItem =
  | { readonly kind: 'event'; readonly atMs: number; readonly event: RiskEvent }
  | {
      readonly kind: 'payment';
      readonly id: number;
      readonly atMs: number;
      readonly payment: RiskPayment;
      readonly label: Label;
      /** Whether whoever authorises the payment passes a step-up (another factor in the wallet). */
      readonly passesChallenge: boolean;
      /** Inside the measured period (after the warm-up that builds everyone's history). */
      readonly measured: boolean;
      /** Which part of a fraud it is (for the breakdown on stderr): a mule's `in` or `forward`, a takeover's variant. */
      readonly step: string | undefined;
      /** For a fraud payment, what an investigation of it finds to be the fraudster's (the truth an analyst can uncover). */
      readonly culprits: Culprits | undefined;
    };

export interface TrafficOptions {
  readonly seed: number;
  readonly consumers: number;
  readonly merchants: number;
  /** Days simulated; the first warmupDays build history and are not measured. */
  readonly days: number;
  readonly warmupDays: number;
  /** Multiplies the number of fraud incidents of every scenario. */
  readonly fraudScale: number;
}

export const TRAFFIC_DEFAULTS: Omit<TrafficOptions, 'seed'> = { consumers: 6000, merchants: 1500, days: 49, warmupDays: 28, fraudScale: 1 };

type Range = readonly [number, number];

/**
 * The ranges every scenario instance draws from: how these frauds go, as described in issue 6 and
 * public accounts of them. `share` ranges are drawn once per run (the mix of a season's fraud);
 * the others per incident.
 */
export const RANGES = {
  account_takeover: {
    incidents: 150,
    /** Thieves holding the unlocked phone itself (no new device), per run. */
    stolenHandsetShare: [0, 0.25],
    /** Thieves who also reset the PIN after binding their device, per run. */
    pinResetShare: [0.3, 0.8],
    /** Thieves who wait out the 24 h cooling-off of a re-verified device before spending big, per run. */
    waitOutCoolingOffShare: [0.2, 0.6],
    minutesFromBindToFirstPayment: [5, 360],
    payments: [2, 12],
    minutesBetweenPayments: [0.5, 30],
    /** While the device cools off the platform caps a payment at 200 yuan; thieves stay under it. */
    yuanDuringCoolingOff: [50, 200],
    yuanAfterCoolingOff: [300, 20_000],
    victimBalanceYuan: [500, 50_000],
    /** Payees: the thief's own collecting accounts, else resaleable goods (games, gold, electronics), per run. */
    toCollectorShare: [0.4, 0.8],
    collectorAccountAgeDays: [1, 90],
  },
  telecom_fraud: {
    incidents: 40,
    collectorAccountAgeDays: [1, 60],
    victims: [3, 25],
    daysCollecting: [1, 5],
    paymentsPerVictim: [1, 4],
    minutesBetweenVictimPayments: [5, 120],
    yuanPerPayment: [1_000, 50_000],
    victimSavingsYuan: [2_000, 200_000],
    /** Victims told to transfer rather than scan the scammer's personal code, per run. */
    transferShare: [0.5, 0.9],
    minutesToCashOut: [10, 720],
  },
  mule_accounts: {
    incidents: 60,
    /** Mules recruited with their existing accounts (students, the elderly) rather than opened for the job, per run. */
    recruitedShare: [0.3, 0.7],
    freshAccountAgeDays: [1, 30],
    payersIn: [4, 30],
    daysReceiving: [1, 7],
    yuanPerPaymentIn: [100, 5_000],
    /** Receipts collected before forwarding. */
    receiptsPerForward: [1, 5],
    minutesToForward: [5, 1_440],
    forwardedShare: [0.8, 1.0],
    /** Forwards go to the next layer's personal accounts, else are spent on gold or game credit, per run. */
    toPersonShare: [0.5, 0.9],
    paymentsPerForward: [1, 3],
  },
  qr_sticker_swap: {
    incidents: 40,
    /** Swaps with the fraudster's personal code, else a shell business's code, per run. */
    personalCodeShare: [0.6, 1.0],
    fraudAccountAgeDays: [1, 120],
    shellBusinessAgeDays: [5, 60],
    /** Shops covered with the same code. */
    shops: [1, 3],
    hoursUntilNoticed: [2, 72],
    /** Customers who report after learning they paid the wrong code, per run; and their delay. */
    victimReportShare: [0.02, 0.2],
    minutesToReport: [10, 2_880],
  },
  micro_payment_probing: {
    incidents: 30,
    accounts: [10, 60],
    accountsPerFarmDevice: [2, 10],
    /** Accounts whose device fingerprint the farm's tooling resets, per run. */
    fingerprintResetShare: [0, 0.5],
    proxies: [1, 5],
    campaignMinutes: [10, 360],
    probesPerAccount: [1, 3],
    probeFen: [1, 100],
    collectorAccountAgeDays: [0, 30],
    /** Collectors that are personal accounts, else a small young business, per run. */
    personalCollectorShare: [0.5, 1.0],
  },
  merchant_collusion: {
    incidents: 25,
    merchantAgeDays: [3, 120],
    ring: [5, 40],
    /** Ring accounts opened for the job, else recruited existing accounts, per run. */
    freshRingShare: [0.3, 1.0],
    ringAccountAgeDays: [1, 90],
    salesPerRingAccount: [1, 6],
    daysOfSales: [3, 14],
    yuanPerSale: [300, 20_000],
    /** Share of fake sales the merchant refunds to cycle the money, per merchant; and the part refunded. */
    refundedSalesShare: [0, 0.6],
    refundedPart: [0.5, 1.0],
    minutesToRefund: [10, 2_880],
  },
} as const satisfies Record<Scenario, Record<string, number | Range>>;

// --- deterministic randomness: sfc32 ----------------------------------------------------------------

export class Random extends Sfc32 {
  /** Uniform in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.float() * items.length)]!;
  }

  /** pick, or undefined from an empty list (small worlds lack some kinds of shop). */
  pickMaybe<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : this.pick(items);
  }

  /** Uniform in log space: amounts and durations spread over orders of magnitude. */
  logUniform(lo: number, hi: number): number {
    return Math.exp(this.uniform(Math.log(lo), Math.log(hi)));
  }

  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** A positive number around `median`, spread by sigma in log space. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  range(r: Range): number {
    return this.uniform(r[0], r[1]);
  }

  intRange(r: Range): number {
    return this.int(r[0], r[1]);
  }
}

// --- the world ----------------------------------------------------------------------------------

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Local midnight of Monday 3 March 2025 in Shanghai (UTC+8). */
const T0 = Date.UTC(2025, 2, 2, 16, 0, 0);
const CELLS = 300;
const CELLS_PER_DISTRICT = 20;
const CARRIER_ADDRESSES = 400;
/** The platform's own rule (decision 0014): a re-verified device pays at most 200 yuan at a time for 24 h. */
const COOLING_OFF_YUAN = 200;

type Category = 'food' | 'coffee' | 'grocery' | 'transit' | 'retail' | 'electronics' | 'jewelry' | 'games' | 'clinic';

interface CategorySpec {
  readonly share: number;
  /** Median ticket in yuan, and its spread between merchants and between sales. */
  readonly ticketYuan: number;
  readonly tier: readonly [number, number, number];
  readonly codes: readonly CodeKind[];
  readonly refundRate: number;
}

/** Categories with their median tickets, tier mix at onboarding, how customers pay and how often sales are refunded. */
const CATEGORIES: Record<Category, CategorySpec> = {
  food: { share: 0.42, ticketYuan: 22, tier: [0.85, 0.15, 0], codes: ['static', 'static', 'static', 'payment_code'], refundRate: 0.002 },
  coffee: { share: 0.08, ticketYuan: 28, tier: [0.85, 0.15, 0], codes: ['static', 'payment_code', 'dynamic'], refundRate: 0.003 },
  grocery: { share: 0.12, ticketYuan: 45, tier: [0.8, 0.2, 0], codes: ['payment_code', 'payment_code', 'static'], refundRate: 0.005 },
  transit: { share: 0, ticketYuan: 4, tier: [1, 0, 0], codes: ['payment_code'], refundRate: 0.001 },
  retail: { share: 0.22, ticketYuan: 120, tier: [0.55, 0.4, 0.05], codes: ['static', 'dynamic', 'payment_code'], refundRate: 0.02 },
  electronics: { share: 0.04, ticketYuan: 900, tier: [0.3, 0.55, 0.15], codes: ['dynamic', 'payment_code'], refundRate: 0.03 },
  jewelry: { share: 0.02, ticketYuan: 2_500, tier: [0.1, 0.5, 0.4], codes: ['dynamic', 'static'], refundRate: 0.02 },
  games: { share: 0.02, ticketYuan: 60, tier: [0.1, 0.4, 0.5], codes: ['dynamic'], refundRate: 0.01 },
  clinic: { share: 0.08, ticketYuan: 150, tier: [0.7, 0.3, 0], codes: ['dynamic', 'static'], refundRate: 0.01 },
};

/** A place to pay: a business merchant, or a stall that takes payment through its owner's personal code. */
interface Shop {
  readonly id: string;
  readonly payeeKind: 'business' | 'person';
  readonly category: Category;
  readonly tier: MerchantTier | undefined;
  readonly cell: number;
  readonly ticketMinor: number;
  readonly codes: readonly CodeKind[];
  readonly refundRate: number;
  readonly popularity: number;
  readonly openedAtMs: number;
  /** Taking since the last settlement, from completed payments. */
  pendingMinor: number;
}

interface Person {
  readonly id: string;
  readonly openedAtMs: number;
  device: string;
  readonly homeIp: string;
  /** Takings waiting to be withdrawn (sellers, stall owners, fraud accounts). */
  pendingMinor: number;
}

interface Consumer extends Person {
  readonly home: number;
  readonly work: number;
  readonly commuter: boolean;
  readonly fareMinor: number;
  readonly sharesLocation: boolean;
  readonly spend: number;
  readonly breakfastP: number;
  readonly lunchP: number;
  readonly dinnerP: number;
  readonly coffee: boolean;
  readonly p2pPerDay: number;
  readonly seller: boolean;
  /** The consumer's own stall, paid through their personal code. */
  stall: Shop | undefined;
  favBreakfast: Shop[];
  favLunch: Shop[];
  favDinner: Shop[];
  cafe: Shop | undefined;
  grocer: Shop | undefined;
  friends: Consumer[];
  family: Consumer[];
  landlord: Consumer | undefined;
  rentDay: number;
  rentMinor: number;
  newTenancy: boolean;
  devicesMade: number;
}

interface Scheduled {
  readonly atMs: number;
  readonly seq: number;
  readonly item?: TrafficItem;
  readonly run?: () => void;
  readonly onSettle?: (completed: boolean, atMs: number) => void;
}

/** Min-heap of scheduled things by time, ties in scheduling order (deterministic). */
class Agenda {
  private readonly heap: Scheduled[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(s: Scheduled): void {
    const h = this.heap;
    h.push(s);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  pop(): Scheduled | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

const before = (a: Scheduled, b: Scheduled): boolean => a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);

interface Swap {
  readonly from: number;
  readonly to: number;
  readonly payee: Person | Shop;
  readonly codeId: string;
  readonly reportShare: number;
}

export class RiskTraffic {
  private readonly rng: Random;
  /**
   * Draws made in reaction to a decision (a refund after a completed sale, a mule forwarding what
   * reached it, a withdrawal of takings) come from their own stream, so that the rest of the city
   * does not change with the rules: two rule sets on one seed see the same ordinary life.
   */
  private readonly reactions: Random;
  private readonly agenda = new Agenda();
  private readonly pending = new Map<number, (completed: boolean, atMs: number) => void>();
  private seq = 0;
  private paymentSeq = 0;
  private ids = 0;
  private readonly consumers: Consumer[] = [];
  private readonly shops: Shop[] = [];
  private readonly shopsByCell: Shop[][] = Array.from({ length: CELLS }, () => []);
  private readonly popular: Shop[] = [];
  private readonly byCategory = new Map<Category, Shop[]>();
  private metro!: Shop;
  private readonly swaps = new Map<string, Swap[]>();
  private readonly endMs: number;
  private readonly measuredFromMs: number;

  constructor(private readonly options: TrafficOptions) {
    this.rng = new Random(options.seed);
    this.reactions = new Random((options.seed ^ 0x2ea0_c7) >>> 0);
    this.endMs = T0 + options.days * DAY_MS;
    this.measuredFromMs = T0 + options.warmupDays * DAY_MS;
    this.buildCity();
    for (let d = 0; d < options.days; d++) this.schedule(T0 + d * DAY_MS, () => this.planDay(d));
    this.planFraud();
  }

  /** The next event or payment in time order, or undefined when the simulation is over. */
  next(): TrafficItem | undefined {
    for (;;) {
      const s = this.agenda.pop();
      if (!s) return undefined;
      if (s.run) {
        s.run();
        continue;
      }
      const item = s.item!;
      if (item.kind === 'payment' && s.onSettle) this.pending.set(item.id, s.onSettle);
      return item;
    }
  }

  /** Tells the world whether a payment's money moved (approved, or passed its challenge). */
  settle(item: TrafficItem, completed: boolean): void {
    if (item.kind !== 'payment') return;
    const then = this.pending.get(item.id);
    if (!then) return;
    this.pending.delete(item.id);
    then(completed, item.atMs);
  }

  get measuredFrom(): number {
    return this.measuredFromMs;
  }

  // --- scheduling helpers -------------------------------------------------------------------------

  private schedule(atMs: number, run: () => void): void {
    this.agenda.push({ atMs, seq: this.seq++, run });
  }

  private emit(event: RiskEvent): void {
    this.agenda.push({ atMs: event.atMs, seq: this.seq++, item: { kind: 'event', atMs: event.atMs, event } });
  }

  private pay(
    atMs: number,
    payer: Person,
    payee: Shop | Person,
    amountMinor: number,
    how: { kind: RiskPayment['kind']; codeKind: CodeKind; codeId: string | undefined; placeId: string | undefined; ip: string; device?: string; step?: string; culprits?: Culprits },
    label: Label,
    passesChallenge: boolean,
    onSettle?: (completed: boolean, atMs: number) => void,
  ): void {
    if (atMs >= this.endMs) return;
    const amount = Math.max(1, Math.round(amountMinor));
    const payment = this.paymentOf(payer, payee, amount, how);
    const item: TrafficItem = { kind: 'payment', id: this.paymentSeq++, atMs, payment, label, passesChallenge, measured: atMs >= this.measuredFromMs, step: how.step, culprits: how.culprits };
    const credit = (completed: boolean, at: number) => {
      if (completed) payee.pendingMinor += amount;
      onSettle?.(completed, at);
    };
    this.agenda.push({ atMs, seq: this.seq++, item, onSettle: credit });
  }

  private paymentOf(
    payer: Person,
    payee: Shop | Person,
    amount: number,
    how: { kind: RiskPayment['kind']; codeKind: CodeKind; codeId: string | undefined; placeId: string | undefined; ip: string; device?: string },
  ): RiskPayment {
    const business = 'payeeKind' in payee && payee.payeeKind === 'business';
    return {
      kind: how.kind,
      payerId: payer.id,
      deviceId: how.device ?? payer.device,
      ip: how.ip,
      payeeId: 'payeeKind' in payee && payee.payeeKind === 'person' ? ownerOf(payee) : payee.id,
      payeeKind: business ? 'business' : 'person',
      merchantTier: business ? (payee as Shop).tier : undefined,
      codeId: how.codeId,
      codeKind: how.codeKind,
      codeVerdict: how.codeKind === 'none' ? 'none' : 'genuine',
      amountMinor: BigInt(amount),
      currency: 'CNY',
      placeId: how.placeId,
    };
  }

  /** A payment made before the simulation starts: history, reported as done. */
  private past(atMs: number, from: Consumer, to: Consumer, amountMinor: number): void {
    if (atMs < from.openedAtMs || atMs < to.openedAtMs) return;
    const payment = this.paymentOf(from, to, Math.round(amountMinor), { kind: 'p2p', codeKind: 'none', codeId: undefined, placeId: undefined, ip: from.homeIp });
    this.emit({ type: 'payment', payment, completed: true, atMs });
  }

  /**
   * The city did not start on T0: people paid their landlords, families and friends before. Without
   * this every long-standing relation would look new on its first simulated payment. (New
   * tenancies, and friends never paid before, stay new.)
   */
  private prehistory(): void {
    const rng = this.rng;
    const springFestival = Date.UTC(2025, 0, 29, 2, 0, 0);
    for (const c of this.consumers) {
      if (c.landlord) {
        if (rng.chance(0.9)) this.past(T0 + (c.rentDay - 30) * DAY_MS + 12 * HOUR_MS, c, c.landlord, c.rentMinor);
        else c.newTenancy = true;
      }
      for (const f of c.family) if (rng.chance(0.8)) this.past(springFestival + rng.uniform(0, 12) * HOUR_MS, c, f, Math.round(rng.logUniform(200, 2_000)) * 100);
      for (const f of c.friends) if (rng.chance(0.2)) this.past(T0 - rng.uniform(1, 180) * DAY_MS, c, f, Math.max(100, Math.round(rng.lognormal(60, 1) * 100)));
    }
  }

  private id(prefix: string): string {
    return `${prefix}${(this.ids++).toString(36)}`;
  }

  private carrierIp(rng: Random = this.rng): string {
    return `10.${rng.int(0, CARRIER_ADDRESSES - 1)}.0.1`;
  }

  private newPerson(prefix: string, openedAtMs: number, deviceBoundAtMs = openedAtMs): Person {
    const id = this.id(prefix);
    const person: Person = { id, openedAtMs, device: `${id}-d0`, homeIp: `192.168.${this.ids % 250}.${this.rng.int(1, 250)}`, pendingMinor: 0 };
    this.emit({ type: 'account_opened', accountId: id, atMs: openedAtMs });
    this.emit({ type: 'device_bound', payerId: id, deviceId: person.device, via: deviceBoundAtMs === openedAtMs ? 'signup' : 'approval', atMs: deviceBoundAtMs });
    return person;
  }

  // --- the city -----------------------------------------------------------------------------------

  private buildCity(): void {
    const { consumers: nConsumers, merchants: nMerchants } = this.options;
    const rng = this.rng;
    for (const c of Object.keys(CATEGORIES) as Category[]) this.byCategory.set(c, []);
    this.metro = this.newShop('transit', 0, T0 - 3000 * DAY_MS, 'business', undefined, false);
    for (let i = 0; i < nMerchants; i++) {
      const category = pickCategory(rng);
      const age = rng.chance(0.9) ? rng.uniform(180, 4000) : rng.uniform(5, 180);
      this.newShop(category, rng.int(0, CELLS - 1), T0 - age * DAY_MS, 'business');
    }
    for (let i = 0; i < nConsumers; i++) {
      const age = rng.chance(0.85) ? rng.uniform(90, 2500) : rng.uniform(1, 90);
      this.newConsumer(T0 - age * DAY_MS);
    }
    // Some people take payment for a stall through their personal code (street food, fruit, repairs).
    for (const c of this.consumers) {
      if (rng.chance(0.012)) c.stall = this.newStall(c, rng.chance(0.7) ? c.home : c.work, Math.max(c.openedAtMs, T0 - rng.uniform(10, 1500) * DAY_MS));
    }
    for (const c of this.consumers) this.befriend(c);
    // Landlords are people too: about a fifth of consumers rent from one.
    for (const c of this.consumers) {
      if (!rng.chance(0.2)) continue;
      const landlord = rng.pick(this.consumers);
      if (landlord === c) continue;
      c.landlord = landlord;
      c.rentDay = rng.int(0, 29);
      c.rentMinor = Math.round(rng.uniform(1_500, 6_000)) * 100;
    }
    for (const c of this.consumers) this.chooseHabits(c);
    this.prehistory();
  }

  /** `listed`: customers can find it (a shell or a fraudster's collecting merchant is not a real shop). */
  private newShop(category: Category, cell: number, openedAtMs: number, payeeKind: 'business' | 'person', ownerId?: string, listed = true): Shop {
    const spec = CATEGORIES[category];
    const rng = this.rng;
    const tierDraw = rng.float();
    const tier: MerchantTier | undefined =
      payeeKind === 'person' ? undefined : tierDraw < spec.tier[0] ? 'low' : tierDraw < spec.tier[0] + spec.tier[1] ? 'standard' : 'high';
    const shop: Shop = {
      id: ownerId ? `pc-${ownerId}` : this.id('m'),
      payeeKind,
      category,
      tier,
      cell,
      ticketMinor: Math.round(rng.lognormal(spec.ticketYuan, 0.35) * 100),
      codes: payeeKind === 'person' ? ['personal'] : spec.codes,
      refundRate: spec.refundRate,
      popularity: payeeKind === 'person' ? 0.5 : Math.min(50, 1 / Math.pow(rng.float() + 0.02, 0.8)),
      openedAtMs,
      pendingMinor: 0,
    };
    if (payeeKind === 'business') this.emit({ type: 'account_opened', accountId: shop.id, atMs: openedAtMs });
    this.shops.push(shop);
    if (!listed) return shop;
    if (payeeKind === 'business') this.byCategory.get(category)?.push(shop);
    this.shopsByCell[cell]!.push(shop);
    if (shop.popularity > 5) this.popular.push(shop);
    return shop;
  }

  private newStall(owner: Consumer, cell: number, sinceMs: number): Shop {
    const stall = this.newShop(this.rng.chance(0.8) ? 'food' : 'retail', cell, sinceMs, 'person', owner.id);
    owners.set(stall, owner.id);
    return stall;
  }

  private newConsumer(openedAtMs: number): Consumer {
    const rng = this.rng;
    const deviceAge = Math.min((T0 - openedAtMs) / DAY_MS, rng.uniform(0, 900));
    const person = this.newPerson('c', openedAtMs, openedAtMs + Math.max(0, (T0 - openedAtMs) / DAY_MS - deviceAge) * DAY_MS);
    const home = rng.int(0, CELLS - 1);
    const district = Math.floor(home / CELLS_PER_DISTRICT);
    const c: Consumer = {
      ...person,
      home,
      work: rng.chance(0.5) ? district * CELLS_PER_DISTRICT + rng.int(0, CELLS_PER_DISTRICT - 1) : rng.int(0, CELLS - 1),
      commuter: rng.chance(0.6),
      fareMinor: rng.int(2, 7) * 100,
      sharesLocation: rng.chance(0.7),
      spend: rng.lognormal(1, 0.35),
      breakfastP: rng.uniform(0.1, 0.8),
      lunchP: rng.uniform(0.4, 0.95),
      dinnerP: rng.uniform(0.1, 0.5),
      coffee: rng.chance(0.3),
      p2pPerDay: rng.logUniform(0.03, 0.5),
      seller: rng.chance(0.04),
      stall: undefined,
      favBreakfast: [],
      favLunch: [],
      favDinner: [],
      cafe: undefined,
      grocer: undefined,
      friends: [],
      family: [],
      landlord: undefined,
      rentDay: 0,
      rentMinor: 0,
      newTenancy: false,
      devicesMade: 1,
    };
    this.consumers.push(c);
    return c;
  }

  private befriend(c: Consumer): void {
    const rng = this.rng;
    const n = rng.int(3, 25);
    for (let i = 0; i < n; i++) {
      const f = rng.pick(this.consumers);
      if (f !== c && !c.friends.includes(f)) {
        c.friends.push(f);
        f.friends.push(c);
      }
    }
    const fam = rng.int(0, 3);
    for (let i = 0; i < fam; i++) {
      const f = rng.pick(this.consumers);
      if (f !== c) c.family.push(f);
    }
  }

  private nearby(cell: number, category: Category | 'eat'): Shop[] {
    const open = (s: Shop) => (category === 'eat' ? s.category === 'food' || s.category === 'coffee' : s.category === category);
    const here = this.shopsByCell[cell]!.filter(open);
    if (here.length > 0) return here;
    const district = Math.floor(cell / CELLS_PER_DISTRICT) * CELLS_PER_DISTRICT;
    const around: Shop[] = [];
    for (let i = 0; i < CELLS_PER_DISTRICT; i++) around.push(...this.shopsByCell[district + i]!.filter(open));
    return around;
  }

  private chooseHabits(c: Consumer): void {
    const rng = this.rng;
    const pickSome = (from: Shop[], n: number) => {
      const chosen: Shop[] = [];
      for (let i = 0; i < n && from.length > 0; i++) {
        const s = rng.pick(from);
        if (!chosen.includes(s) && s.openedAtMs <= T0 && owners.get(s) !== c.id) chosen.push(s);
      }
      return chosen;
    };
    c.favBreakfast = pickSome(this.nearby(c.home, 'food'), rng.int(1, 3));
    c.favLunch = pickSome(this.nearby(c.work, 'food'), rng.int(2, 5));
    c.favDinner = pickSome(this.nearby(c.home, 'food'), rng.int(1, 4));
    c.cafe = pickSome(this.nearby(c.work, 'coffee'), 1)[0];
    c.grocer = pickSome(this.nearby(c.home, 'grocery'), 1)[0] ?? rng.pickMaybe(this.byCategory.get('grocery')!);
  }

  // --- a day of ordinary life -----------------------------------------------------------------------

  private planDay(d: number): void {
    const rng = this.rng;
    const day = T0 + d * DAY_MS;
    const weekday = d % 7 < 5;
    // New people, new shops.
    const signUps = Math.round(rng.uniform(0.5, 1.5) * this.options.consumers * 0.0015);
    for (let i = 0; i < signUps; i++) {
      const c = this.newConsumer(day + rng.uniform(7, 22) * HOUR_MS);
      this.befriend(c);
      this.chooseHabits(c);
    }
    const openings = Math.round(rng.uniform(0.5, 1.5) * this.options.merchants * 0.003);
    for (let i = 0; i < openings; i++) {
      const category = rng.chance(0.6) ? 'food' : pickCategory(rng);
      this.newShop(category, rng.int(0, CELLS - 1), day + rng.uniform(6, 10) * HOUR_MS, 'business');
    }
    if (rng.chance(0.3)) {
      const owner = rng.pick(this.consumers);
      if (!owner.stall) owner.stall = this.newStall(owner, owner.home, day + 6 * HOUR_MS);
    }
    // Settlement: merchants and stall owners take yesterday's money to the bank.
    this.schedule(day + 3 * HOUR_MS, () => {
      for (const s of this.shops) {
        if (s.pendingMinor <= 0) continue;
        // Stall owners take their money out most days, businesses are settled every day.
        if (s.payeeKind === 'person' && !this.reactions.chance(0.7)) continue;
        this.emit({ type: 'withdrawal', accountId: ownerOf(s), amountMinor: BigInt(s.pendingMinor), atMs: day + 3 * HOUR_MS + 1 });
        s.pendingMinor = 0;
      }
    });
    for (const c of this.consumers) {
      if (c.openedAtMs > day + DAY_MS) continue;
      this.lifeEvents(c, day);
      this.planConsumerDay(c, day, weekday);
    }
  }

  private lifeEvents(c: Consumer, day: number): void {
    const rng = this.rng;
    if (rng.chance(1 / 700)) {
      // A new phone: the old one approves it, or, when it was lost, the identity is verified again.
      const at = day + rng.uniform(8, 21) * HOUR_MS;
      c.device = `${c.id}-d${c.devicesMade++}`;
      this.emit({ type: 'device_bound', payerId: c.id, deviceId: c.device, via: rng.chance(0.8) ? 'approval' : 'reverification', atMs: at });
    }
    if (rng.chance(1 / 2500)) this.emit({ type: 'credentials_changed', payerId: c.id, what: 'pin_reset', atMs: day + rng.uniform(8, 22) * HOUR_MS });
    if ((c.stall || c.seller) && c.pendingMinor > 0 && this.reactions.chance(0.5)) {
      this.emit({ type: 'withdrawal', accountId: c.id, amountMinor: BigInt(c.pendingMinor), atMs: day + this.reactions.uniform(20, 23) * HOUR_MS });
      c.pendingMinor = 0;
    }
  }

  private planConsumerDay(c: Consumer, day: number, weekday: boolean): void {
    const rng = this.rng;
    const at = (lo: number, hi: number) => day + rng.uniform(lo, hi) * HOUR_MS;
    const outIp = this.carrierIp();
    const since = Math.max(day, c.openedAtMs);
    const later = (t: number) => t >= since;

    if (weekday && c.commuter) {
      this.visit(c, this.metro, at(7, 9), outIp, c.home, 'payment_code', c.fareMinor);
      this.visit(c, this.metro, at(17, 19.5), outIp, c.work, 'payment_code', c.fareMinor);
    }
    if (weekday && rng.chance(c.breakfastP)) this.meal(c, c.favBreakfast, c.home, at(6.5, 9), outIp, 0.12);
    if (rng.chance(weekday ? c.lunchP : c.lunchP * 0.5)) this.meal(c, c.favLunch, weekday ? c.work : c.home, at(11.3, 13.5), outIp, 0.15);
    if (weekday && c.coffee && c.cafe && rng.chance(0.7)) this.visit(c, c.cafe, at(9, 15), outIp);
    if (rng.chance(weekday ? c.dinnerP : c.dinnerP * 1.5)) {
      const cell = rng.chance(0.7) ? c.home : rng.int(0, CELLS - 1);
      this.meal(c, cell === c.home ? c.favDinner : [], cell, at(17.5, 21), outIp, 0.2);
    }
    if (c.grocer && rng.chance(weekday ? 0.2 : 0.45)) this.visit(c, c.grocer, at(weekday ? 18 : 10, 21), outIp, undefined, undefined, undefined, 0.6);
    if (rng.chance(weekday ? 0.1 : 0.25)) {
      const shop = rng.chance(0.5) ? rng.pickMaybe(this.popular) : rng.pickMaybe(this.byCategory.get(rng.chance(0.8) ? 'retail' : 'clinic')!);
      if (shop) this.visit(c, shop, at(10, 21), outIp);
    }
    if (rng.chance(0.004)) {
      const shop = rng.pickMaybe(this.byCategory.get(rng.pick(['electronics', 'electronics', 'jewelry', 'retail'] as const))!);
      if (shop) this.visit(c, shop, at(10, 21), outIp, undefined, 'dynamic', Math.round(shop.ticketMinor * rng.lognormal(3, 0.5)));
    }
    if (rng.chance(0.03)) {
      const games = rng.pickMaybe(this.byCategory.get('games')!);
      if (games) this.visit(c, games, at(12, 24), c.homeIp, undefined, 'dynamic');
    }
    // People.
    if (c.friends.length > 0 && rng.chance(c.p2pPerDay)) {
      const t = at(8, 23);
      if (later(t)) this.transfer(c, rng.pick(c.friends), t, Math.min(2_000_00, Math.max(100, Math.round(rng.lognormal(60, 1) * 100))));
    }
    if (c.family.length > 0 && rng.chance(0.012)) {
      const t = at(9, 22);
      if (later(t)) this.transfer(c, rng.pick(c.family), t, Math.round(rng.logUniform(200, 3_000)) * 100);
    }
    if (c.landlord && Math.floor((day - T0) / DAY_MS) % 30 === c.rentDay) {
      const t = at(9, 22);
      // A new tenancy starts with a deposit on top of the first month.
      if (later(t)) this.transfer(c, c.landlord, t, c.newTenancy ? c.rentMinor * 2 : c.rentMinor);
      c.newTenancy = false;
    }
    // A group dinner split evenly: one pays the restaurant, the others pay them back later.
    if (c.friends.length >= 2 && rng.chance(weekday ? 0.015 : 0.04)) {
      const cell = rng.chance(0.5) ? c.home : rng.int(0, CELLS - 1);
      const restaurants = this.nearby(cell, 'food');
      const t = at(18, 21);
      if (restaurants.length > 0 && later(t)) {
        const guests = Array.from({ length: rng.int(2, 6) }, () => rng.pick(c.friends)).filter((f, i, a) => a.indexOf(f) === i && f.openedAtMs < t);
        const bill = Math.round(rng.uniform(60, 220) * (guests.length + 1)) * 100;
        const r = rng.pick(restaurants);
        this.visit(c, r, t, outIp, cell, rng.chance(0.5) ? 'dynamic' : undefined, bill);
        const share = Math.round(bill / (guests.length + 1));
        for (const g of guests) this.transfer(g, c, t + rng.logUniform(5, 600) * MINUTE_MS, share);
      }
    }
    // Selling an old bike or phone to a stranger.
    if (c.seller && rng.chance(0.08)) {
      const buyer = rng.pick(this.consumers);
      const t = at(9, 22);
      if (buyer !== c && buyer.openedAtMs < t && later(t)) {
        const amount = Math.round(rng.logUniform(30, 1_500)) * 100;
        if (rng.chance(0.5)) this.transfer(buyer, c, t, amount);
        else this.pay(t, buyer, c, amount, { kind: 'personal_code', codeKind: 'personal', codeId: `pc-${c.id}`, placeId: undefined, ip: this.carrierIp() }, 'legitimate', true);
      }
    }
  }

  /** A meal at a favourite place, or now and then somewhere new (which may become a favourite). */
  private meal(c: Consumer, favourites: Shop[], cell: number, atMs: number, ip: string, explore: number): void {
    const rng = this.rng;
    let shop: Shop | undefined;
    if (favourites.length > 0 && !rng.chance(explore)) shop = rng.pick(favourites);
    else {
      const options = this.nearby(cell, 'food').filter((s) => s.openedAtMs <= atMs && owners.get(s) !== c.id);
      if (options.length === 0) return;
      shop = rng.pick(options);
      if (favourites.length > 0 && rng.chance(0.3) && !favourites.includes(shop)) favourites[rng.int(0, favourites.length - 1)] = shop;
    }
    this.visit(c, shop, atMs, ip, cell);
  }

  private visit(c: Consumer, shop: Shop, atMs: number, ip: string, cell = shop.cell, codeKind?: CodeKind, amountMinor?: number, spread = 0.35): void {
    const rng = this.rng;
    if (atMs < c.openedAtMs || atMs < shop.openedAtMs) return;
    const kind = codeKind ?? rng.pick(shop.codes);
    const amount = amountMinor ?? Math.max(100, Math.round((shop.ticketMinor * c.spend * rng.lognormal(1, spread)) / 10) * 10);
    const placeId = c.sharesLocation ? `cell-${cell}` : undefined;
    const swap = kind === 'static' ? this.swapAt(shop, atMs) : undefined;
    if (swap) {
      // The sticker over the shop's code: the customer pays the fraudster's code without noticing.
      const payee = swap.payee;
      const personal = !('payeeKind' in payee) || payee.payeeKind === 'person';
      this.pay(
        atMs,
        c,
        payee,
        amount,
        { kind: personal ? 'personal_code' : 'merchant', codeKind: personal ? 'personal' : 'static', codeId: swap.codeId, placeId, ip, culprits: { accountIds: [ownerOf(payee)], deviceIds: [], codeIds: [swap.codeId] } },
        'qr_sticker_swap',
        true,
        (completed, at) => {
          const react = this.reactions;
          if (completed && react.chance(swap.reportShare)) this.emit({ type: 'report', payeeId: undefined, codeId: swap.codeId, atMs: at + react.logUniform(...RANGES.qr_sticker_swap.minutesToReport) * MINUTE_MS });
        },
      );
      return;
    }
    const business = shop.payeeKind === 'business';
    this.pay(
      atMs,
      c,
      shop,
      amount,
      {
        kind: business ? 'merchant' : 'personal_code',
        codeKind: business ? kind : 'personal',
        codeId: !business ? shop.id : kind === 'static' ? `${shop.id}-s` : kind === 'payment_code' ? `${shop.id}-t` : undefined,
        placeId,
        ip,
      },
      'legitimate',
      true,
      (completed, at) => {
        const react = this.reactions;
        if (completed && business && react.chance(shop.refundRate)) {
          this.emit({ type: 'refund', payerId: c.id, payeeId: shop.id, amountMinor: BigInt(amount), atMs: at + react.logUniform(60, 5 * 24 * 60) * MINUTE_MS });
        }
      },
    );
  }

  private transfer(from: Consumer, to: Consumer, atMs: number, amountMinor: number): void {
    if (atMs < from.openedAtMs || atMs < to.openedAtMs) return;
    const ip = this.rng.chance(0.6) ? from.homeIp : this.carrierIp();
    this.pay(atMs, from, to, amountMinor, { kind: 'p2p', codeKind: 'none', codeId: undefined, placeId: undefined, ip }, 'legitimate', true);
  }

  private swapAt(shop: Shop, atMs: number): Swap | undefined {
    const list = this.swaps.get(shop.id);
    if (!list) return undefined;
    return list.find((s) => atMs >= s.from && atMs < s.to);
  }

  // --- fraud ----------------------------------------------------------------------------------------

  private planFraud(): void {
    const rng = this.rng;
    const scale = this.options.fraudScale;
    const count = (n: number) => Math.max(1, Math.round(n * scale));
    /** A start inside the measured period that leaves each incident time to play out. */
    const start = (tailDays: number) => this.measuredFromMs + rng.float() * Math.max(DAY_MS, this.endMs - this.measuredFromMs - tailDays * DAY_MS);
    const shares = {
      stolenHandset: rng.range(RANGES.account_takeover.stolenHandsetShare),
      pinReset: rng.range(RANGES.account_takeover.pinResetShare),
      waitOut: rng.range(RANGES.account_takeover.waitOutCoolingOffShare),
      toCollector: rng.range(RANGES.account_takeover.toCollectorShare),
      transfer: rng.range(RANGES.telecom_fraud.transferShare),
      recruited: rng.range(RANGES.mule_accounts.recruitedShare),
      muleToPerson: rng.range(RANGES.mule_accounts.toPersonShare),
      personalCode: rng.range(RANGES.qr_sticker_swap.personalCodeShare),
      victimReport: rng.range(RANGES.qr_sticker_swap.victimReportShare),
      fingerprintReset: rng.range(RANGES.micro_payment_probing.fingerprintResetShare),
      personalCollector: rng.range(RANGES.micro_payment_probing.personalCollectorShare),
      freshRing: rng.range(RANGES.merchant_collusion.freshRingShare),
    };
    for (let i = 0; i < count(RANGES.account_takeover.incidents); i++) this.accountTakeover(start(3), shares);
    for (let i = 0; i < count(RANGES.telecom_fraud.incidents); i++) this.telecomFraud(start(6), shares);
    for (let i = 0; i < count(RANGES.mule_accounts.incidents); i++) this.muleAccount(start(9), shares);
    for (let i = 0; i < count(RANGES.qr_sticker_swap.incidents); i++) this.stickerSwap(start(4), shares);
    for (let i = 0; i < count(RANGES.micro_payment_probing.incidents); i++) this.probing(start(1), shares);
    for (let i = 0; i < count(RANGES.merchant_collusion.incidents); i++) this.collusion(start(15), shares);
  }

  /** An established customer (fraud targets people with money and history). */
  private victim(beforeMs: number): Consumer {
    for (;;) {
      const c = this.rng.pick(this.consumers);
      if (c.openedAtMs < beforeMs - 30 * DAY_MS) return c;
    }
  }

  private accountTakeover(t0: number, shares: { stolenHandset: number; pinReset: number; waitOut: number; toCollector: number }): void {
    const rng = this.rng;
    const R = RANGES.account_takeover;
    const victim = this.victim(t0);
    const stolenHandset = rng.chance(shares.stolenHandset);
    const device = stolenHandset ? victim.device : `${victim.id}-x${this.ids++}`;
    const ip = this.carrierIp();
    let t = t0;
    let coolingUntil = 0;
    if (!stolenHandset) {
      this.emit({ type: 'device_bound', payerId: victim.id, deviceId: device, via: 'reverification', atMs: t });
      coolingUntil = t + DAY_MS;
      if (rng.chance(shares.pinReset)) this.emit({ type: 'credentials_changed', payerId: victim.id, what: 'pin_reset', atMs: t + rng.uniform(1, 10) * MINUTE_MS });
      t += rng.range(R.minutesFromBindToFirstPayment) * MINUTE_MS;
      if (rng.chance(shares.waitOut)) t = Math.max(t, coolingUntil + rng.uniform(0, 6) * HOUR_MS);
    }
    let balance = rng.logUniform(R.victimBalanceYuan[0], R.victimBalanceYuan[1]) * 100;
    const collectors = Array.from({ length: rng.int(1, 3) }, () => this.newPerson('f', t0 - rng.range(R.collectorAccountAgeDays) * DAY_MS));
    const goods = [...this.byCategory.get('games')!, ...this.byCategory.get('jewelry')!, ...this.byCategory.get('electronics')!];
    const n = rng.intRange(R.payments);
    for (let i = 0; i < n && balance > 100; i++) {
      const cooling = t < coolingUntil;
      const step = stolenHandset ? 'stolen_handset' : cooling ? 'new_device_cooling_off' : 'new_device_after_cooling_off';
      const yuan = cooling ? rng.range(R.yuanDuringCoolingOff) : rng.logUniform(R.yuanAfterCoolingOff[0], R.yuanAfterCoolingOff[1]);
      const amount = Math.min(Math.round(yuan) * 100, cooling ? COOLING_OFF_YUAN * 100 : Number.MAX_SAFE_INTEGER, Math.floor(balance));
      balance -= amount;
      if (rng.chance(shares.toCollector)) {
        const to = rng.pick(collectors);
        const culprits = { accountIds: [to.id], deviceIds: [device], codeIds: [] };
        this.pay(t, victim, to, amount, { kind: 'p2p', codeKind: 'none', codeId: undefined, placeId: undefined, ip, device, step, culprits }, 'account_takeover', false);
      } else {
        const shop = rng.pickMaybe(goods);
        // The shop is a real one the thief buys resaleable goods from: only the device is the thief's.
        const culprits = { accountIds: [], deviceIds: [device], codeIds: [] };
        if (shop) this.pay(t, victim, shop, amount, { kind: 'merchant', codeKind: 'dynamic', codeId: undefined, placeId: undefined, ip, device, step, culprits }, 'account_takeover', false);
      }
      t += rng.range(R.minutesBetweenPayments) * MINUTE_MS;
    }
  }

  private telecomFraud(t0: number, shares: { transfer: number }): void {
    const rng = this.rng;
    const R = RANGES.telecom_fraud;
    const collector = this.newPerson('f', t0 - rng.range(R.collectorAccountAgeDays) * DAY_MS);
    const code = `pc-${collector.id}`;
    const span = rng.range(R.daysCollecting) * DAY_MS;
    const victims = rng.intRange(R.victims);
    const cashOut = (completed: boolean, at: number) => {
      if (!completed) return;
      const when = at + this.reactions.logUniform(R.minutesToCashOut[0], R.minutesToCashOut[1]) * MINUTE_MS;
      this.schedule(when, () => {
        if (collector.pendingMinor <= 0) return;
        this.emit({ type: 'withdrawal', accountId: collector.id, amountMinor: BigInt(collector.pendingMinor), atMs: when });
        collector.pendingMinor = 0;
      });
    };
    for (let v = 0; v < victims; v++) {
      const victim = this.victim(t0);
      let t = t0 + rng.float() * span;
      let savings = rng.logUniform(R.victimSavingsYuan[0], R.victimSavingsYuan[1]) * 100;
      const payments = rng.intRange(R.paymentsPerVictim);
      const byTransfer = rng.chance(shares.transfer);
      for (let i = 0; i < payments && savings > 10_000; i++) {
        const amount = Math.min(Math.round(rng.logUniform(R.yuanPerPayment[0], R.yuanPerPayment[1])) * 100, Math.floor(savings));
        savings -= amount;
        const culprits = { accountIds: [collector.id], deviceIds: [], codeIds: [code] };
        const how = byTransfer
          ? { kind: 'p2p' as const, codeKind: 'none' as const, codeId: undefined, placeId: undefined, ip: victim.homeIp, culprits }
          : { kind: 'personal_code' as const, codeKind: 'personal' as const, codeId: code, placeId: victim.sharesLocation ? `cell-${victim.home}` : undefined, ip: victim.homeIp, culprits };
        this.pay(t, victim, collector, amount, how, 'telecom_fraud', true, cashOut);
        t += rng.range(R.minutesBetweenVictimPayments) * MINUTE_MS;
      }
    }
  }

  private muleAccount(t0: number, shares: { recruited: number; muleToPerson: number }): void {
    const rng = this.rng;
    const R = RANGES.mule_accounts;
    const mule: Person = rng.chance(shares.recruited) ? this.victim(t0) : this.newPerson('f', t0 - rng.range(R.freshAccountAgeDays) * DAY_MS);
    const nextLayer = Array.from({ length: rng.int(1, 3) }, () => this.newPerson('f', t0 - rng.uniform(1, 60) * DAY_MS));
    const sinks = [...this.byCategory.get('jewelry')!, ...this.byCategory.get('games')!];
    const span = rng.range(R.daysReceiving) * DAY_MS;
    const perForward = rng.intRange(R.receiptsPerForward);
    const payers = rng.intRange(R.payersIn);
    let received = 0;
    let unforwarded = 0;
    // What reaches the mule depends on the rules: what it forwards is drawn from the reactions' stream.
    const react = this.reactions;
    const forward = (at: number) => {
      const amount = Math.floor(unforwarded * react.range(R.forwardedShare));
      unforwarded = 0;
      if (amount < 100) return;
      const parts = react.intRange(R.paymentsPerForward);
      let t = at + react.logUniform(R.minutesToForward[0], R.minutesToForward[1]) * MINUTE_MS;
      for (let i = 0; i < parts; i++) {
        const part = Math.floor(amount / parts);
        const ip = this.carrierIp(react);
        if (react.chance(shares.muleToPerson)) {
          const next = react.pick(nextLayer);
          const culprits = { accountIds: [mule.id, next.id], deviceIds: [], codeIds: [] };
          this.pay(t, mule, next, part, { kind: 'p2p', codeKind: 'none', codeId: undefined, placeId: undefined, ip, step: 'forward_to_person', culprits }, 'mule_accounts', true);
        } else {
          const sink = react.pickMaybe(sinks);
          const culprits = { accountIds: [mule.id], deviceIds: [], codeIds: [] };
          if (sink) this.pay(t, mule, sink, part, { kind: 'merchant', codeKind: 'dynamic', codeId: undefined, placeId: undefined, ip, step: 'forward_to_merchant', culprits }, 'mule_accounts', true);
        }
        t += react.uniform(1, 30) * MINUTE_MS;
      }
    };
    for (let i = 0; i < payers; i++) {
      const payer = this.victim(t0);
      const t = t0 + rng.float() * span;
      const amount = Math.round(rng.logUniform(R.yuanPerPaymentIn[0], R.yuanPerPaymentIn[1])) * 100;
      const culprits = { accountIds: [mule.id], deviceIds: [], codeIds: [] };
      this.pay(t, payer, mule, amount, { kind: 'p2p', codeKind: 'none', codeId: undefined, placeId: undefined, ip: payer.homeIp, step: 'in', culprits }, 'mule_accounts', true, (completed, at) => {
        if (!completed) return;
        received++;
        unforwarded += amount;
        if (received % perForward === 0) forward(at);
      });
    }
    // Whatever is left at the end of the receiving span goes too.
    this.schedule(t0 + span + HOUR_MS, () => forward(t0 + span + HOUR_MS));
  }

  private stickerSwap(t0: number, shares: { personalCode: number; victimReport: number }): void {
    const rng = this.rng;
    const R = RANGES.qr_sticker_swap;
    const targets = this.shops.filter((s) => s.payeeKind === 'business' && s.codes.includes('static') && s.openedAtMs < t0 && (s.category === 'food' || s.category === 'coffee' || s.category === 'retail'));
    const first = rng.pickMaybe(targets);
    if (!first) return;
    const shops = [first];
    const more = rng.intRange(R.shops) - 1;
    const near = targets.filter((s) => Math.floor(s.cell / CELLS_PER_DISTRICT) === Math.floor(first.cell / CELLS_PER_DISTRICT) && s !== first);
    for (let i = 0; i < more && near.length > 0; i++) shops.push(rng.pick(near));
    let payee: Person | Shop;
    let codeId: string;
    if (rng.chance(shares.personalCode)) {
      const fraudster = this.newPerson('f', t0 - rng.range(R.fraudAccountAgeDays) * DAY_MS);
      payee = fraudster;
      codeId = `pc-${fraudster.id}`;
    } else {
      const shell = this.newShop(first.category, first.cell, t0 - rng.range(R.shellBusinessAgeDays) * DAY_MS, 'business', undefined, false);
      payee = shell;
      codeId = `${shell.id}-s`;
    }
    for (const shop of shops) {
      const from = t0 + rng.uniform(0, 6) * HOUR_MS;
      const to = from + rng.logUniform(R.hoursUntilNoticed[0], R.hoursUntilNoticed[1]) * HOUR_MS;
      const list = this.swaps.get(shop.id) ?? [];
      list.push({ from, to, payee, codeId, reportShare: shares.victimReport });
      this.swaps.set(shop.id, list);
      // The shop notices its money is missing, peels the sticker off and reports the code.
      this.emit({ type: 'report', payeeId: undefined, codeId, atMs: to });
    }
  }

  private probing(t0: number, shares: { fingerprintReset: number; personalCollector: number }): void {
    const rng = this.rng;
    const R = RANGES.micro_payment_probing;
    let collector: Person | Shop;
    const collectorAge = rng.range(R.collectorAccountAgeDays) * DAY_MS;
    if (rng.chance(shares.personalCollector)) collector = this.newPerson('f', t0 - collectorAge);
    else collector = this.newShop('retail', rng.int(0, CELLS - 1), t0 - collectorAge, 'business', undefined, false);
    const accounts = rng.intRange(R.accounts);
    const perDevice = rng.intRange(R.accountsPerFarmDevice);
    const farm = Array.from({ length: Math.ceil(accounts / perDevice) }, () => `farm-${this.ids++}`);
    const proxies = Array.from({ length: rng.intRange(R.proxies) }, () => this.carrierIp());
    const span = rng.range(R.campaignMinutes) * MINUTE_MS;
    for (let a = 0; a < accounts; a++) {
      const account = this.victim(t0);
      const device = rng.chance(shares.fingerprintReset) ? `farm-${this.ids++}` : farm[a % farm.length]!;
      let t = t0 + (span * a) / accounts;
      this.emit({ type: 'device_bound', payerId: account.id, deviceId: device, via: 'reverification', atMs: t - rng.uniform(1, 60) * MINUTE_MS });
      const probes = rng.intRange(R.probesPerAccount);
      for (let i = 0; i < probes; i++) {
        const amount = rng.intRange(R.probeFen);
        const ip = rng.pick(proxies);
        const collectorId = ownerOf(collector);
        if ('payeeKind' in collector) {
          this.pay(t, account, collector, amount, { kind: 'merchant', codeKind: 'static', codeId: `${collector.id}-s`, placeId: undefined, ip, device, culprits: { accountIds: [collectorId], deviceIds: [device], codeIds: [`${collector.id}-s`] } }, 'micro_payment_probing', false);
        } else if (rng.chance(0.5)) {
          this.pay(t, account, collector, amount, { kind: 'p2p', codeKind: 'none', codeId: undefined, placeId: undefined, ip, device, culprits: { accountIds: [collectorId], deviceIds: [device], codeIds: [] } }, 'micro_payment_probing', false);
        } else {
          this.pay(t, account, collector, amount, { kind: 'personal_code', codeKind: 'personal', codeId: `pc-${collector.id}`, placeId: undefined, ip, device, culprits: { accountIds: [collectorId], deviceIds: [device], codeIds: [`pc-${collector.id}`] } }, 'micro_payment_probing', false);
        }
        t += rng.logUniform(0.1, 5) * MINUTE_MS;
      }
    }
  }

  private collusion(t0: number, shares: { freshRing: number }): void {
    const rng = this.rng;
    const R = RANGES.merchant_collusion;
    const category = rng.pick(['retail', 'electronics', 'jewelry', 'games', 'food'] as const);
    const merchant = this.newShop(category, rng.int(0, CELLS - 1), t0 - rng.range(R.merchantAgeDays) * DAY_MS, 'business', undefined, false);
    const ring = Array.from({ length: rng.intRange(R.ring) }, () =>
      rng.chance(shares.freshRing) ? this.newPerson('f', t0 - rng.range(R.ringAccountAgeDays) * DAY_MS) : this.victim(t0),
    );
    const refundShare = rng.range(R.refundedSalesShare);
    const span = rng.range(R.daysOfSales) * DAY_MS;
    const kind = rng.pick(merchant.codes);
    const codeId = kind === 'static' ? `${merchant.id}-s` : kind === 'payment_code' ? `${merchant.id}-t` : undefined;
    for (const member of ring) {
      const sales = rng.intRange(R.salesPerRingAccount);
      for (let i = 0; i < sales; i++) {
        const t = t0 + rng.float() * span;
        const amount = Math.round(rng.logUniform(R.yuanPerSale[0], R.yuanPerSale[1])) * 100;
        const ip = rng.chance(0.5) ? member.homeIp : this.carrierIp();
        this.pay(
          t,
          member,
          merchant,
          amount,
          { kind: 'merchant', codeKind: kind, codeId, placeId: undefined, ip, culprits: { accountIds: [merchant.id, member.id], deviceIds: [], codeIds: codeId === undefined ? [] : [codeId] } },
          'merchant_collusion',
          true,
          (completed, at) => {
            const react = this.reactions;
            if (!completed || !react.chance(refundShare)) return;
            const part = Math.floor(amount * react.range(R.refundedPart));
            this.emit({ type: 'refund', payerId: member.id, payeeId: merchant.id, amountMinor: BigInt(part), atMs: at + react.logUniform(R.minutesToRefund[0], R.minutesToRefund[1]) * MINUTE_MS });
          },
        );
      }
    }
  }
}

/** Personal stalls are paid to their owner's account. */
const owners = new WeakMap<Shop, string>();

function ownerOf(payee: Shop | Person): string {
  if ('payeeKind' in payee) return owners.get(payee) ?? payee.id;
  return payee.id;
}

function pickCategory(rng: Random): Category {
  let x = rng.float();
  for (const [name, spec] of Object.entries(CATEGORIES) as [Category, CategorySpec][]) {
    x -= spec.share;
    if (x < 0) return name;
  }
  return 'food';
}
