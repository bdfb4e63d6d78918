// Analysts' labels in the feature store: a fraud label sets the *_confirmed_fraud features of what
// it names, a withdrawal (an upheld appeal) clears them, and the order of the events decides.
import { describe, expect, it } from 'vitest';
import { InMemoryFeatureStore, type Culprits, type Features, type RiskEvent, type RiskPayment } from '../../src/core/risk/index.js';

const HOUR = 60 * 60_000;
const T = Date.UTC(2026, 10, 2, 4, 0, 0);

// A payment where every labelled party takes part: the stall as payee and code, the mule as payer.
const payment = (over: Partial<RiskPayment> = {}): RiskPayment => ({
  kind: 'merchant',
  payerId: 'mule',
  deviceId: 'mule-phone',
  ip: '10.0.0.1',
  payeeId: 'stall',
  payeeKind: 'business',
  merchantTier: 'low',
  codeId: 'stall-code',
  codeKind: 'static',
  codeVerdict: 'genuine',
  amountMinor: 2_500n,
  currency: 'CNY',
  placeId: undefined,
  ...over,
});

const culprits = (over: Partial<Culprits> = {}): Culprits => ({ accountIds: [], deviceIds: [], codeIds: [], ...over });
const fraud = (c: Culprits, atMs: number): RiskEvent => ({ type: 'label', verdict: 'fraud', culprits: c, atMs });
const withdrawn = (c: Culprits, atMs: number): RiskEvent => ({ type: 'label', verdict: 'withdrawn', culprits: c, atMs });
const EVERYONE = culprits({ accountIds: ['stall', 'mule'], deviceIds: ['mule-phone'], codeIds: ['stall-code'] });

function labelFeatures(f: Features): Record<string, boolean> {
  return {
    payee: f.payee_confirmed_fraud,
    payer: f.payer_confirmed_fraud,
    device: f.device_confirmed_fraud,
    code: f.code_confirmed_fraud,
  };
}

/** A store that saw one completed payment (so every party is known), then the events in order. */
function storeAfter(events: readonly RiskEvent[]): InMemoryFeatureStore {
  const store = new InMemoryFeatureStore(1_000);
  store.observe({ type: 'payment', payment: payment(), completed: true, atMs: T });
  for (const e of events) store.observe(e);
  return store;
}

describe("withdrawing analysts' labels", () => {
  it('a withdrawal clears what a fraud label set: payee, payer, device and code', () => {
    const labelled = storeAfter([fraud(EVERYONE, T + HOUR)]);
    expect(labelFeatures(labelled.features(payment(), T + 2 * HOUR))).toEqual({ payee: true, payer: true, device: true, code: true });
    // One flag per account: the stall labelled also reads as a labelled payer when it pays.
    expect(labelled.features(payment({ payerId: 'stall', payeeId: 'other' }), T + 2 * HOUR).payer_confirmed_fraud).toBe(true);

    const cleared = storeAfter([fraud(EVERYONE, T + HOUR), withdrawn(EVERYONE, T + 2 * HOUR)]);
    expect(labelFeatures(cleared.features(payment(), T + 3 * HOUR))).toEqual({ payee: false, payer: false, device: false, code: false });
    expect(cleared.features(payment({ payerId: 'stall', payeeId: 'other' }), T + 3 * HOUR).payer_confirmed_fraud).toBe(false);
  });

  it('a withdrawal clears only what it names', () => {
    const store = storeAfter([fraud(EVERYONE, T + HOUR), withdrawn(culprits({ accountIds: ['stall'] }), T + 2 * HOUR)]);
    expect(labelFeatures(store.features(payment(), T + 3 * HOUR))).toEqual({ payee: false, payer: true, device: true, code: true });
  });

  it('withdrawing something never labelled, or never seen, is harmless: every feature stays as it was', () => {
    const plain = storeAfter([]);
    const withdrawnAnyway = storeAfter([
      withdrawn(EVERYONE, T + HOUR),
      withdrawn(culprits({ accountIds: ['nobody'], deviceIds: ['no-phone'], codeIds: ['no-code'] }), T + HOUR),
    ]);
    for (const p of [payment(), payment({ payerId: 'nobody', deviceId: 'no-phone', payeeId: 'stall', codeId: 'no-code' })]) {
      expect(withdrawnAnyway.features(p, T + 2 * HOUR)).toEqual(plain.features(p, T + 2 * HOUR));
    }
    // The unknown account was not created by the withdrawal: its age is still unknown (0), not "since the withdrawal".
    expect(withdrawnAnyway.features(payment({ payerId: 'nobody' }), T + 30 * 24 * HOUR).payer_account_age_days).toBe(0);
  });

  it('order matters when labels are replayed: a fraud label after a withdrawal labels again', () => {
    const again = storeAfter([fraud(EVERYONE, T + HOUR), withdrawn(EVERYONE, T + 2 * HOUR), fraud(culprits({ accountIds: ['stall'] }), T + 3 * HOUR)]);
    expect(labelFeatures(again.features(payment(), T + 4 * HOUR))).toEqual({ payee: true, payer: false, device: false, code: false });
    // The same events with the withdrawal last: cleared.
    const last = storeAfter([fraud(EVERYONE, T + HOUR), fraud(culprits({ accountIds: ['stall'] }), T + 2 * HOUR), withdrawn(EVERYONE, T + 3 * HOUR)]);
    expect(labelFeatures(last.features(payment(), T + 4 * HOUR))).toEqual({ payee: false, payer: false, device: false, code: false });
  });

  it('a legitimate label still withdraws a fraud label on its payee only', () => {
    const store = storeAfter([fraud(EVERYONE, T + HOUR), { type: 'label', verdict: 'legitimate', payerId: 'someone', payeeId: 'stall', atMs: T + 2 * HOUR }]);
    expect(labelFeatures(store.features(payment(), T + 3 * HOUR))).toEqual({ payee: false, payer: true, device: true, code: true });
  });
});
