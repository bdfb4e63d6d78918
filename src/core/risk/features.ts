// Features kept incrementally: every event updates a few counters in O(1), and reading the features
// of a payment touches only the payer, device, address, payee, code and pair involved. Nothing here
// reads a clock: the time of each event and of each read is an argument.

import { assert } from '../errors.js';
import { RISK_DISTINCT_PER_KEY_MAX, RISK_PLACES_PER_PAYER_MAX, RISK_STORE_KEYS_MAX } from '../limits.js';
import { NEVER_HOURS, type Features } from './catalogue.js';
import type { RiskEvent, RiskPayment } from './types.js';
import { BoundedMap, ReceiptPool, RecentSet, Velocity, WindowCounter } from './windows.js';

export interface FeatureStore {
  /** Learns from one event: every decided payment (completed or not), refunds, withdrawals, devices, credentials, reports. */
  observe(event: RiskEvent): void;
  /** The features of a payment about to be decided, from what was observed before nowMs. */
  features(payment: RiskPayment, nowMs: number): Features;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Weight of the newest payment in a typical amount: about the last ten payments count. */
const TYPICAL_AMOUNT_WEIGHT = 0.2;
/** Amount ratios divide by at least this (10.00 in a two-decimal currency), so a first small payment is not "50× typical". */
const RATIO_FLOOR_MINOR = 1_000;
/** A place's usual payee is one paid there at least this often, within this long. */
const USUAL_AT_PLACE_PAYMENTS_MIN = 2;
const USUAL_AT_PLACE_MS_MAX = 90 * DAY_MS;
/** How long a payee stays new after the payer first paid it. */
const NEW_PAYEE_MS = DAY_MS;
/**
 * A payer whose account is under this many days old with fewer than this many payments of its own,
 * paying at least this much (200.00 in a two-decimal currency): an account opened for one purchase.
 */
const NEW_ACCOUNT_DAYS_MAX = 90;
const NEW_ACCOUNT_PAYMENTS_MAX = 2;
const NEW_ACCOUNT_SIZEABLE_MINOR = 20_000;
/** Usual payees remembered per code for the same-source diversion count. */
const DIVERTED_SOURCES_PER_CODE_MAX = 8;

/** Completed payments from one payer to one payee, and when the first was made. */
interface Pair {
  count: number;
  firstMs: number;
}

interface PlaceHabit {
  readonly placeId: string;
  readonly payeeId: string;
  count: number;
  lastMs: number;
}

/** A consumer or merchant account, in either role. Payee-side parts are made on its first receipt. */
class AccountState {
  openedAtMs: number | undefined;
  // as payer
  readonly out = new Velocity();
  readonly newPayees1h = new WindowCounter(5 * MINUTE_MS, 12);
  readonly newPayees24h = new WindowCounter(HOUR_MS, 24);
  paidCount = 0;
  paidTypical = 0;
  paidMax = 0;
  credentialChangedMs = Number.NEGATIVE_INFINITY;
  newDeviceMs = Number.NEGATIVE_INFINITY;
  readonly places: PlaceHabit[] = [];
  /** Completed payments to merchants and stalls, and how much of them strangers' transfers paid back (a group dinner's host). */
  readonly spentAtShops24h = new WindowCounter(HOUR_MS, 24);
  readonly repaid24h = new WindowCounter(HOUR_MS, 24);
  /** Transfers from unrelated payers, beyond what they paid back: their count and the unexplained part. */
  readonly unexplainedIn48h = new WindowCounter(HOUR_MS, 48);
  // as payee
  payee: PayeeState | undefined;
  reports = 0;
  /** An analyst labelled this account fraud (and no withdrawal came after): read as payee and as payer. */
  confirmedFraud = false;

  constructor(readonly firstSeenMs: number) {}

  receiving(): PayeeState {
    return (this.payee ??= new PayeeState());
  }
}

class PayeeState {
  readonly in = new Velocity();
  receivedCount = 0;
  receivedTypical = 0;
  /** Last attempt of each payer; and the first attempt of each unrelated first-time payer. */
  readonly payers = new RecentSet(RISK_DISTINCT_PER_KEY_MAX);
  readonly newPayers = new RecentSet(RISK_DISTINCT_PER_KEY_MAX);
  /** Receipts of the last 48 hours and what of them is still here (fast-out). */
  readonly pool48h = new ReceiptPool(HOUR_MS, 48);
  readonly received7d = new WindowCounter(DAY_MS, 7);
  readonly refunded7d = new WindowCounter(DAY_MS, 7);
  /** Payers that were new, near-empty accounts paying a sizeable sum (see NEW_ACCOUNT_*). */
  readonly newAccountPayers = new RecentSet(RISK_DISTINCT_PER_KEY_MAX);
  /** Transfers and personal-code payments from unrelated payers, by day: the last 31 days, and the last 2 of them. */
  strangers: { readonly month: WindowCounter; readonly recent: WindowCounter } | undefined;
}

class DeviceState {
  boundAtMs: number | undefined;
  viaReverification = false;
  readonly velocity = new Velocity();
  readonly payers = new RecentSet(RISK_DISTINCT_PER_KEY_MAX);
  confirmedFraud = false;
  constructor(readonly firstSeenMs: number) {}
}

class AddressState {
  readonly velocity = new Velocity();
  readonly payers = new RecentSet(RISK_DISTINCT_PER_KEY_MAX);
}

class CodeState {
  readonly velocity = new Velocity();
  readonly newPayers = new RecentSet(RISK_DISTINCT_PER_KEY_MAX);
  readonly diverted = new WindowCounter(HOUR_MS, 24);
  /** Diversions per usual payee, each counted from its first one and restarted after 24 h. */
  readonly divertedFrom = new Map<string, { count: number; firstMs: number }>();
  reports = 0;
  confirmedFraud = false;
  constructor(readonly firstSeenMs: number) {}
}

const hoursSince = (thenMs: number, nowMs: number): number =>
  thenMs === Number.NEGATIVE_INFINITY ? NEVER_HOURS : Math.max(0, (nowMs - thenMs) / HOUR_MS);

/** The in-memory store used by the core's tests and the bench; a service may keep one per process and feed it from the database. */
export class InMemoryFeatureStore implements FeatureStore {
  private readonly accounts: BoundedMap<AccountState>;
  private readonly devices: BoundedMap<DeviceState>;
  private readonly addresses: BoundedMap<AddressState>;
  private readonly codes: BoundedMap<CodeState>;
  /** Completed payments per payer→payee pair. */
  private readonly pairs: BoundedMap<Pair>;
  /** When the first account seen was opened: the platform's age. */
  private firstAccountOpenedMs = Number.POSITIVE_INFINITY;

  constructor(keysMax = RISK_STORE_KEYS_MAX) {
    assert(keysMax > 0 && keysMax <= RISK_STORE_KEYS_MAX, `a feature store holds 1 to ${RISK_STORE_KEYS_MAX} keys per kind`);
    this.accounts = new BoundedMap(keysMax);
    this.devices = new BoundedMap(keysMax);
    this.addresses = new BoundedMap(keysMax);
    this.codes = new BoundedMap(keysMax);
    this.pairs = new BoundedMap(keysMax);
  }

  observe(event: RiskEvent): void {
    switch (event.type) {
      case 'account_opened':
        this.account(event.accountId, event.atMs).openedAtMs = event.atMs;
        this.firstAccountOpenedMs = Math.min(this.firstAccountOpenedMs, event.atMs);
        return;
      case 'device_bound': {
        const device = this.devices.upsert(event.deviceId, () => new DeviceState(event.atMs));
        device.boundAtMs = event.atMs;
        device.viaReverification = event.via === 'reverification';
        const payer = this.account(event.payerId, event.atMs);
        if (event.via !== 'signup') payer.newDeviceMs = Math.max(payer.newDeviceMs, event.atMs);
        if (event.via === 'reverification') payer.credentialChangedMs = Math.max(payer.credentialChangedMs, event.atMs);
        return;
      }
      case 'credentials_changed': {
        const payer = this.account(event.payerId, event.atMs);
        payer.credentialChangedMs = Math.max(payer.credentialChangedMs, event.atMs);
        return;
      }
      case 'payment':
        this.observePayment(event.payment, event.completed, event.atMs);
        return;
      case 'refund':
        this.account(event.payeeId, event.atMs).receiving().refunded7d.add(event.atMs, Number(event.amountMinor));
        return;
      case 'withdrawal':
        this.account(event.accountId, event.atMs).payee?.pool48h.spend(event.atMs, Number(event.amountMinor));
        return;
      case 'report':
        if (event.payeeId !== undefined) this.account(event.payeeId, event.atMs).reports++;
        if (event.codeId !== undefined) this.codes.upsert(event.codeId, () => new CodeState(event.atMs)).reports++;
        return;
      case 'label':
        this.observeLabel(event);
        return;
    }
  }

  features(p: RiskPayment, nowMs: number): Features {
    const amount = Number(p.amountMinor);
    const payer = this.accounts.get(p.payerId);
    const payee = this.accounts.get(p.payeeId);
    const receiving = payee?.payee;
    const payerReceiving = payer?.payee;
    const device = this.devices.get(p.deviceId);
    const address = p.ip === undefined ? undefined : this.addresses.get(p.ip);
    const code = p.codeId === undefined ? undefined : this.codes.get(p.codeId);
    const { pairCount, newPayee, related } = this.relation(p, nowMs);
    const usual = newPayee ? usualPayeeElsewhere(payer, p, nowMs) : undefined;

    const payerTypical = payer?.paidTypical ?? 0;
    const payerMax = payer?.paidMax ?? 0;
    const payeeTypical = receiving?.receivedTypical ?? 0;
    const received48h = payerReceiving?.pool48h.receivedSum(nowMs) ?? 0;
    const kept48h = payerReceiving?.pool48h.remainingSum(nowMs) ?? 0;
    const payeeReceived48h = receiving?.pool48h.receivedSum(nowMs) ?? 0;
    const payeeKept48h = receiving?.pool48h.remainingSum(nowMs) ?? 0;
    const payeeReceived7d = receiving?.received7d.sum(nowMs) ?? 0;
    const deviceSince = device ? (device.boundAtMs ?? device.firstSeenMs) : nowMs;
    const unexplainedNow = !related && p.kind === 'p2p' && payee ? unexplainedPart(payee, amount, nowMs) : !related && p.kind === 'p2p' ? amount : 0;
    const payeePayers7d = receiving?.payers.countSince(nowMs - 7 * DAY_MS) ?? 0;
    const newAccountPayers = receiving?.newAccountPayers;
    const newAccountPayer = isNewAccountPayer(payer, amount, nowMs) || (newAccountPayers?.seenSince(p.payerId, nowMs - 7 * DAY_MS) ?? false);

    return {
      amount_minor: amount,
      kind_merchant: p.kind === 'merchant',
      kind_personal_code: p.kind === 'personal_code',
      kind_p2p: p.kind === 'p2p',
      payee_is_person: p.payeeKind === 'person',
      code_static: p.codeKind === 'static',
      code_dynamic: p.codeKind === 'dynamic',
      code_payment_code: p.codeKind === 'payment_code',
      code_genuine: p.codeVerdict !== 'counterfeit',
      merchant_tier: p.payeeKind === 'person' ? 0 : p.merchantTier === 'high' ? 3 : p.merchantTier === 'standard' ? 2 : 1,
      has_place: p.placeId !== undefined,

      payer_account_age_days: ageDays(payer, nowMs),
      payer_history_count: payer?.paidCount ?? 0,
      payer_amount_typical_minor: payerTypical,
      payer_amount_max_minor: payerMax,
      amount_over_typical: amount / Math.max(payerTypical, RATIO_FLOOR_MINOR),
      amount_over_max: amount / Math.max(payerMax, RATIO_FLOOR_MINOR),
      payer_count_1m: payer?.out.m1.count(nowMs) ?? 0,
      payer_count_1h: payer?.out.h1.count(nowMs) ?? 0,
      payer_count_24h: payer?.out.d1.count(nowMs) ?? 0,
      payer_sum_1m_minor: payer?.out.m1.sum(nowMs) ?? 0,
      payer_sum_1h_minor: payer?.out.h1.sum(nowMs) ?? 0,
      payer_sum_24h_minor: payer?.out.d1.sum(nowMs) ?? 0,
      payer_new_payees_1h: payer?.newPayees1h.count(nowMs) ?? 0,
      payer_new_payees_24h: payer?.newPayees24h.count(nowMs) ?? 0,
      hours_since_credential_change: hoursSince(payer?.credentialChangedMs ?? Number.NEGATIVE_INFINITY, nowMs),
      hours_since_new_device: hoursSince(payer?.newDeviceMs ?? Number.NEGATIVE_INFINITY, nowMs),
      payer_fan_in_7d: payerReceiving?.payers.countSince(nowMs - 7 * DAY_MS) ?? 0,
      payer_new_payers_in_48h: payerReceiving?.newPayers.countSince(nowMs - 2 * DAY_MS) ?? 0,
      payer_received_48h_minor: received48h,
      payer_fast_out_after: received48h > 0 ? (received48h - Math.max(0, kept48h - amount)) / received48h : 0,
      payer_stranger_receipts_before_30d: strangerReceiptsBefore(payerReceiving, nowMs),
      payer_unexplained_transfers_48h: payer?.unexplainedIn48h.count(nowMs) ?? 0,
      payer_unexplained_in_48h_minor: payer?.unexplainedIn48h.sum(nowMs) ?? 0,

      device_age_hours: Math.max(0, (nowMs - deviceSince) / HOUR_MS),
      device_via_reverification: device?.viaReverification ?? false,
      device_confirmed_fraud: device?.confirmedFraud ?? false,
      device_other_payers_24h: device?.payers.countSince(nowMs - DAY_MS, p.payerId) ?? 0,
      device_count_1m: device?.velocity.m1.count(nowMs) ?? 0,
      device_count_1h: device?.velocity.h1.count(nowMs) ?? 0,
      device_count_24h: device?.velocity.d1.count(nowMs) ?? 0,

      ip_count_1m: address?.velocity.m1.count(nowMs) ?? 0,
      ip_count_1h: address?.velocity.h1.count(nowMs) ?? 0,
      ip_count_24h: address?.velocity.d1.count(nowMs) ?? 0,
      ip_payers_1h: address?.payers.countSince(nowMs - HOUR_MS, p.payerId) ?? 0,

      first_payment_to_payee: pairCount === 0,
      new_payee: newPayee,
      related,
      pair_count: pairCount,
      diverted_at_place: usual !== undefined,

      payee_account_age_days: ageDays(payee, nowMs),
      payee_history_count: receiving?.receivedCount ?? 0,
      payee_payments_made: payee?.paidCount ?? 0,
      payee_amount_typical_minor: payeeTypical,
      amount_over_payee_typical: amount / Math.max(payeeTypical, RATIO_FLOOR_MINOR),
      payee_count_1m: receiving?.in.m1.count(nowMs) ?? 0,
      payee_count_1h: receiving?.in.h1.count(nowMs) ?? 0,
      payee_count_24h: receiving?.in.d1.count(nowMs) ?? 0,
      payee_sum_1h_minor: receiving?.in.h1.sum(nowMs) ?? 0,
      payee_sum_24h_minor: receiving?.in.d1.sum(nowMs) ?? 0,
      payee_fan_in_24h: receiving?.payers.countSince(nowMs - DAY_MS, p.payerId) ?? 0,
      payee_fan_in_7d: receiving?.payers.countSince(nowMs - 7 * DAY_MS, p.payerId) ?? 0,
      payee_new_payers_1h: receiving?.newPayers.countSince(nowMs - HOUR_MS, p.payerId) ?? 0,
      payee_new_payers_24h: receiving?.newPayers.countSince(nowMs - DAY_MS, p.payerId) ?? 0,
      payee_new_payers_7d: receiving?.newPayers.countSince(nowMs - 7 * DAY_MS, p.payerId) ?? 0,
      payee_received_48h_minor: payeeReceived48h,
      payee_fast_out_ratio: payeeReceived48h > 0 ? (payeeReceived48h - payeeKept48h) / payeeReceived48h : 0,
      payee_unexplained_transfers_48h: (payee?.unexplainedIn48h.count(nowMs) ?? 0) + (unexplainedNow > 0 ? 1 : 0),
      payee_unexplained_in_48h_minor: (payee?.unexplainedIn48h.sum(nowMs) ?? 0) + unexplainedNow,
      payee_received_7d_minor: payeeReceived7d,
      payee_received_per_payer_7d_minor: payeePayers7d > 0 ? payeeReceived7d / payeePayers7d : 0,
      payee_payments_per_payer_7d: payeePayers7d > 0 ? (receiving?.received7d.count(nowMs) ?? 0) / payeePayers7d : 0,
      payee_new_account_payers_7d: (newAccountPayers?.countSince(nowMs - 7 * DAY_MS, p.payerId) ?? 0) + (newAccountPayer ? 1 : 0),
      payee_stranger_receipts_before_30d: strangerReceiptsBefore(receiving, nowMs),
      payee_refunds_7d: receiving?.refunded7d.count(nowMs) ?? 0,
      payee_refund_ratio_7d: payeeReceived7d > 0 ? (receiving?.refunded7d.sum(nowMs) ?? 0) / payeeReceived7d : 0,
      payee_reports: payee?.reports ?? 0,
      payee_confirmed_fraud: payee?.confirmedFraud ?? false,
      payer_confirmed_fraud: payer?.confirmedFraud ?? false,

      code_age_hours: code ? Math.max(0, (nowMs - code.firstSeenMs) / HOUR_MS) : 0,
      code_count_1m: code?.velocity.m1.count(nowMs) ?? 0,
      code_count_1h: code?.velocity.h1.count(nowMs) ?? 0,
      code_count_24h: code?.velocity.d1.count(nowMs) ?? 0,
      code_new_payers_1h: code?.newPayers.countSince(nowMs - HOUR_MS, p.payerId) ?? 0,
      code_new_payers_24h: code?.newPayers.countSince(nowMs - DAY_MS, p.payerId) ?? 0,
      code_diverted_24h: code?.diverted.count(nowMs) ?? 0,
      code_diverted_same_24h: code ? mostDivertedFromOne(code, nowMs) : 0,
      code_reports: code?.reports ?? 0,
      code_confirmed_fraud: code?.confirmedFraud ?? false,

      platform_age_days: Number.isFinite(this.firstAccountOpenedMs) ? Math.max(0, (nowMs - this.firstAccountOpenedMs) / DAY_MS) : 0,
    };
  }

  /**
   * A payee stays new for a day after the first payment to it: a relation minutes old is what a
   * thief or scammer creates with a first small payment, not a sign of trust.
   */
  private relation(p: RiskPayment, nowMs: number): { pairCount: number; newPayee: boolean; related: boolean } {
    const pair = this.pairs.get(pairKey(p.payerId, p.payeeId));
    const reverse = this.pairs.get(pairKey(p.payeeId, p.payerId));
    const established = (x: Pair | undefined) => x !== undefined && nowMs - x.firstMs >= NEW_PAYEE_MS;
    return { pairCount: pair?.count ?? 0, newPayee: !established(pair), related: established(pair) || established(reverse) };
  }

  private observeLabel(event: Extract<RiskEvent, { type: 'label' }>): void {
    if (event.verdict === 'fraud') {
      for (const id of event.culprits.accountIds) this.account(id, event.atMs).confirmedFraud = true;
      for (const id of event.culprits.deviceIds) this.devices.upsert(id, () => new DeviceState(event.atMs)).confirmedFraud = true;
      for (const id of event.culprits.codeIds) this.codes.upsert(id, () => new CodeState(event.atMs)).confirmedFraud = true;
      return;
    }
    if (event.verdict === 'withdrawn') {
      // Only what is known is cleared: a withdrawal must not create state (an account's first-seen
      // time is its age for the rules) for something this store never saw.
      for (const id of event.culprits.accountIds) {
        const account = this.accounts.get(id);
        if (account) account.confirmedFraud = false;
      }
      for (const id of event.culprits.deviceIds) {
        const device = this.devices.get(id);
        if (device) device.confirmedFraud = false;
      }
      for (const id of event.culprits.codeIds) {
        const code = this.codes.get(id);
        if (code) code.confirmedFraud = false;
      }
      return;
    }
    // A payment an analyst cleared: the pair is trusted from now on (established, not new), and a
    // fraud label on the payee is withdrawn (the appeal of a customer turned away by it).
    const payee = this.accounts.get(event.payeeId);
    if (payee) payee.confirmedFraud = false;
    const pair = this.pairs.upsert(pairKey(event.payerId, event.payeeId), () => ({ count: 0, firstMs: event.atMs }));
    pair.firstMs = Math.min(pair.firstMs, event.atMs - NEW_PAYEE_MS);
  }

  private account(id: string, atMs: number): AccountState {
    return this.accounts.upsert(id, () => new AccountState(atMs));
  }

  private observePayment(p: RiskPayment, completed: boolean, atMs: number): void {
    const amount = Number(p.amountMinor);
    assert(Number.isSafeInteger(amount) && amount > 0, 'a payment amount is a positive safe integer');
    const payer = this.account(p.payerId, atMs);
    const payee = this.account(p.payeeId, atMs);
    const receiving = payee.receiving();
    const { newPayee, related } = this.relation(p, atMs);
    const usual = newPayee ? usualPayeeElsewhere(payer, p, atMs) : undefined;

    // Attempts: velocity and distinct counts see every decided payment, completed or not.
    if (isNewAccountPayer(payer, amount, atMs)) receiving.newAccountPayers.touch(p.payerId, atMs);
    if (!related && p.payeeKind === 'person') {
      receiving.strangers ??= { month: new WindowCounter(DAY_MS, 31), recent: new WindowCounter(DAY_MS, 2) };
      receiving.strangers.month.add(atMs, 1);
      receiving.strangers.recent.add(atMs, 1);
    }
    payer.out.add(atMs, amount);
    if (newPayee) {
      payer.newPayees1h.add(atMs, 1);
      payer.newPayees24h.add(atMs, 1);
    }
    receiving.in.add(atMs, amount);
    if (!related && p.kind === 'p2p') {
      const unexplained = unexplainedPart(payee, amount, atMs);
      payee.repaid24h.add(atMs, amount - unexplained);
      if (unexplained > 0) payee.unexplainedIn48h.add(atMs, unexplained);
    }
    receiving.payers.touch(p.payerId, atMs);
    if (!related && !receiving.newPayers.has(p.payerId)) receiving.newPayers.touch(p.payerId, atMs);

    const device = this.devices.upsert(p.deviceId, () => new DeviceState(atMs));
    device.velocity.add(atMs, amount);
    device.payers.touch(p.payerId, atMs);
    if (p.ip !== undefined) {
      const address = this.addresses.upsert(p.ip, () => new AddressState());
      address.velocity.add(atMs, amount);
      address.payers.touch(p.payerId, atMs);
    }
    if (p.codeId !== undefined) {
      const code = this.codes.upsert(p.codeId, () => new CodeState(atMs));
      code.velocity.add(atMs, amount);
      if (!related && !code.newPayers.has(p.payerId)) code.newPayers.touch(p.payerId, atMs);
      if (usual !== undefined) {
        code.diverted.add(atMs, 1);
        countDiversion(code, usual, atMs);
      }
    }
    if (!completed) return;

    // Money that moved: habits, relations, receipts and fast-out.
    this.pairs.upsert(pairKey(p.payerId, p.payeeId), () => ({ count: 0, firstMs: atMs })).count++;
    payer.paidTypical = payer.paidCount === 0 ? amount : payer.paidTypical + TYPICAL_AMOUNT_WEIGHT * (amount - payer.paidTypical);
    payer.paidMax = Math.max(payer.paidMax, amount);
    payer.paidCount++;
    payer.payee?.pool48h.spend(atMs, amount);
    if (p.kind !== 'p2p') payer.spentAtShops24h.add(atMs, amount);
    if (p.placeId !== undefined && isPrinted(p)) rememberPlace(payer, p.placeId, p.payeeId, atMs);
    receiving.receivedTypical = receiving.receivedCount === 0 ? amount : receiving.receivedTypical + TYPICAL_AMOUNT_WEIGHT * (amount - receiving.receivedTypical);
    receiving.receivedCount++;
    receiving.pool48h.receive(atMs, amount);
    receiving.received7d.add(atMs, amount);
  }
}

/**
 * The part of a stranger's transfer that does not pay back what the account spent at shops in
 * the last day: a group dinner's host is repaid the bill by friends who never paid them before, a
 * mule is paid by strangers for nothing it bought.
 */
function unexplainedPart(account: AccountState, amount: number, nowMs: number): number {
  const owed = Math.max(0, account.spentAtShops24h.sum(nowMs) - account.repaid24h.sum(nowMs));
  return Math.max(0, amount - owed);
}

const pairKey = (from: string, to: string): string => `${from}\u0000${to}`;

/** A near-empty account under NEW_ACCOUNT_DAYS_MAX days old paying a sizeable sum (read before this payment counts). */
function isNewAccountPayer(payer: AccountState | undefined, amount: number, nowMs: number): boolean {
  return amount >= NEW_ACCOUNT_SIZEABLE_MINOR && ageDays(payer, nowMs) < NEW_ACCOUNT_DAYS_MAX && (payer?.paidCount ?? 0) <= NEW_ACCOUNT_PAYMENTS_MAX;
}

/** Payments from strangers to a person between about 30 days and 2 days ago (whole days): the account's life before a sudden change. */
function strangerReceiptsBefore(receiving: PayeeState | undefined, nowMs: number): number {
  const strangers = receiving?.strangers;
  return strangers ? strangers.month.count(nowMs) - strangers.recent.count(nowMs) : 0;
}

function ageDays(account: AccountState | undefined, nowMs: number): number {
  if (!account) return 0;
  return Math.max(0, (nowMs - (account.openedAtMs ?? account.firstSeenMs)) / DAY_MS);
}

/** The payee this payer usually pays at the payment's place, when it is another one. */
function usualPayeeElsewhere(payer: AccountState | undefined, p: RiskPayment, nowMs: number): string | undefined {
  if (!payer || p.placeId === undefined || !isPrinted(p)) return undefined;
  let best: PlaceHabit | undefined;
  for (const habit of payer.places) {
    if (habit.placeId !== p.placeId || habit.count < USUAL_AT_PLACE_PAYMENTS_MIN || nowMs - habit.lastMs > USUAL_AT_PLACE_MS_MAX) continue;
    if (!best || habit.count > best.count) best = habit;
  }
  return best && best.payeeId !== p.payeeId ? best.payeeId : undefined;
}

/**
 * Only a printed code the customer scans can be covered by another sticker: habits and diversions
 * count those, not a till scanning the customer's code or an order code on the merchant's screen
 * (a metro gate paid twice a day is not "the shop you usually pay here").
 */
function isPrinted(p: RiskPayment): boolean {
  return p.codeKind === 'static' || p.codeKind === 'personal';
}

function rememberPlace(payer: AccountState, placeId: string, payeeId: string, atMs: number): void {
  const habit = payer.places.find((h) => h.placeId === placeId && h.payeeId === payeeId);
  if (habit) {
    habit.count++;
    habit.lastMs = Math.max(habit.lastMs, atMs);
    return;
  }
  if (payer.places.length >= RISK_PLACES_PER_PAYER_MAX) {
    let stalest = 0;
    for (let i = 1; i < payer.places.length; i++) if (payer.places[i]!.lastMs < payer.places[stalest]!.lastMs) stalest = i;
    payer.places.splice(stalest, 1);
  }
  payer.places.push({ placeId, payeeId, count: 1, lastMs: atMs });
}

function countDiversion(code: CodeState, usualPayeeId: string, atMs: number): void {
  const entry = code.divertedFrom.get(usualPayeeId);
  if (entry && atMs - entry.firstMs <= DAY_MS) {
    entry.count++;
    return;
  }
  if (!entry && code.divertedFrom.size >= DIVERTED_SOURCES_PER_CODE_MAX) {
    let oldest: string | undefined;
    let oldestMs = Number.POSITIVE_INFINITY;
    for (const [id, e] of code.divertedFrom) if (e.firstMs < oldestMs) [oldest, oldestMs] = [id, e.firstMs];
    code.divertedFrom.delete(oldest!);
  }
  code.divertedFrom.set(usualPayeeId, { count: 1, firstMs: atMs });
}

function mostDivertedFromOne(code: CodeState, nowMs: number): number {
  let most = 0;
  for (const e of code.divertedFrom.values()) if (nowMs - e.firstMs <= DAY_MS && e.count > most) most = e.count;
  return most;
}
