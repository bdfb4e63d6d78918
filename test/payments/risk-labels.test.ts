import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RiskPayment, RuleSet } from '../../src/core/risk/index.js';
import type { Merchant, MerchantClient, WalletClient } from '../../src/sdk/index.js';
import { RiskService } from '../../src/service/risk.js';
import { labelsNaming } from '../../src/service/risk-labels.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError, staffToken } from '../http/helpers.js';
import { apiError, dbSnapshot, expectSameSnapshot, openWorld, type World } from './world.js';
import type { LabelLookup, RiskLabel } from '../../web/console/types.js';

// An appeal against a fraud label (docs/risk-labels.md): an analyst labels a payee when declining a
// held payment, its next customer is refused; the analyst looks the payee up, withdraws the label
// with a reason, and the next payment goes through, also after a restart. Amounts pick outcomes:
// 1,500 yuan is held for the analyst, 20 yuan is approved unless a label stops it.
const RULES: RuleSet = {
  version: 'e2e-labels-1',
  thresholds: { challenge: 100, review: 200, decline: 300 },
  rules: [
    { id: 'over-100', description: 'a payment of 100 yuan or more', when: { feature: 'amount_minor', op: 'ge', value: 10_000 }, score: 1, outcome: 'challenge' },
    { id: 'over-1000', description: 'a payment of 1,000 yuan or more', when: { feature: 'amount_minor', op: 'ge', value: 100_000 }, score: 1, outcome: 'review' },
    { id: 'label-payee', description: 'an analyst found the payee to be a fraudster', when: { feature: 'payee_confirmed_fraud', op: 'eq', value: true }, score: 1, outcome: 'decline' },
  ],
};
const PIN = '135790';
const HELD_MINOR = 150_000;
const SMALL_MINOR = 2_000;

describe.each(STORE_NAMES)('withdrawing a fraud label on appeal (%s)', (store) => {
  let world: World;
  let fake: { client: MerchantClient; merchant: Merchant };
  let payer: WalletClient;
  let customer: WalletClient;
  let analyst: string;
  let seq = 0;

  const labelRows = () => world.env.platform.store.db.selectFrom('risk_labels').selectAll().orderBy('created_at_ms').execute();
  const lookup = (party: string, token = analyst) => call<LabelLookup>(world.base, 'GET', `/v1/ops/risk/labels?party=${encodeURIComponent(party)}`, { token });
  const withdraw = (json: unknown, options: { token?: string; key?: string } = {}) =>
    call(world.base, 'POST', '/v1/ops/risk/labels/withdraw', { token: options.token ?? analyst, json, headers: options.key ? { 'idempotency-key': options.key } : {} });
  /** A held payment to the fake shop, declined by the analyst naming the payee as the fraudster's. */
  const labelPayee = async (): Promise<string> => {
    const order = await fake.client.createOrder({ amountMinor: HELD_MINOR, reference: `held-${store}-${++seq}` });
    const held = await payer.pay({ code: order.payload, pin: PIN });
    expect(held.status).toBe('held_for_review');
    const declined = await call(world.base, 'POST', `/v1/ops/risk/reviews/${held.id}/decline`, { token: analyst, json: { confirmedFraud: ['payee'] } });
    expect(declined.status, declined.text).toBe(200);
    return held.id;
  };
  /** A small payment from a customer who never paid the shop: only a label stops it. */
  const paySmall = async () => {
    const order = await fake.client.createOrder({ amountMinor: SMALL_MINOR, reference: `small-${store}-${++seq}` });
    return customer.pay({ code: order.payload });
  };
  const riskPayment = (): RiskPayment => ({
    kind: 'merchant',
    payerId: customer.consumerId!,
    deviceId: 'any',
    ip: undefined,
    payeeId: fake.merchant.id,
    payeeKind: 'business',
    merchantTier: 'standard',
    codeId: undefined,
    codeKind: 'dynamic',
    codeVerdict: 'genuine',
    amountMinor: BigInt(SMALL_MINOR),
    currency: 'CNY',
    placeId: undefined,
  });
  const restartedRisk = async (): Promise<RiskService> => {
    const restarted = new RiskService(world.env.platform.store.db, RULES);
    await restarted.warmUp();
    return restarted;
  };

  beforeAll(async () => {
    world = await openWorld(store, { riskRuleSet: RULES });
    fake = await world.merchant('Corner Kiosk');
    payer = (await world.verifiedWallet('Wen', 2_000_000n)).wallet;
    await payer.setPin(PIN);
    customer = (await world.verifiedWallet('Lu', 100_000n)).wallet;
    analyst = await staffToken(world.env.platform, 'risk');
  });
  afterAll(async () => world?.close());

  it('an analyst looks up a labelled payee, withdraws the label with a reason (audited), and its next payment goes through, also after a restart', async () => {
    const db = world.env.platform.store.db;
    const heldId = await labelPayee();
    const refused = await apiError(paySmall());
    expect({ status: refused.status, code: refused.code }).toEqual({ status: 402, code: 'RISK_DECLINED' });

    // The look-up: labelled, as an account, with the decline's label.
    const found = await lookup(fake.merchant.id);
    expect(found.status, found.text).toBe(200);
    expect(found.body).toMatchObject({ party: fake.merchant.id, labelled: true, labelledAs: ['account'] });
    expect(found.body.labels).toHaveLength(1);
    expect(found.body.labels[0]).toMatchObject({ verdict: 'fraud', paymentId: heldId, culprits: { accountIds: [fake.merchant.id], deviceIds: [], codeIds: [] } });
    expect(found.body.labels[0]!.actor).toMatch(/^staff:/);
    // Someone never labelled: not labelled, no history.
    expect((await lookup(customer.consumerId!)).body).toEqual({ party: customer.consumerId, labelled: false, labelledAs: [], labels: [] });

    // The withdrawal: stored, audited, in force at once; a replay of the same request answers the same.
    const reason = 'appeal upheld: the kiosk is a genuine shop';
    const key = `withdraw-${store}-1`;
    const done = await withdraw({ accountIds: [fake.merchant.id], reason }, { key });
    expect(done.status, done.text).toBe(200);
    const label = done.body.label as RiskLabel;
    expect(label).toMatchObject({ verdict: 'withdrawn', paymentId: null, culprits: { accountIds: [fake.merchant.id], deviceIds: [], codeIds: [] } });
    expect(label.createdAtMs).toBeGreaterThan(found.body.labels[0]!.createdAtMs);
    const replay = await withdraw({ accountIds: [fake.merchant.id], reason }, { key });
    expect([replay.status, replay.headers.get('idempotent-replayed'), replay.body.label.id]).toEqual([200, 'true', label.id]);
    expect((await labelRows()).map((r) => r.verdict)).toEqual(['fraud', 'withdrawn']);

    expect((await paySmall()).status).toBe('succeeded');
    const after = await lookup(fake.merchant.id);
    expect(after.body).toMatchObject({ labelled: false, labelledAs: [] });
    expect(after.body.labels.map((l) => [l.verdict, l.id])).toEqual([
      ['withdrawn', label.id],
      ['fraud', found.body.labels[0]!.id],
    ]);
    const audit = await db.selectFrom('audit_log').selectAll().where('action', '=', 'risk.label.withdraw').execute();
    expect(audit.map((a) => [a.object_id, a.actor, JSON.parse(a.detail)])).toEqual([[label.id, label.actor, { reason, accountIds: [fake.merchant.id], deviceIds: [], codeIds: [] }]]);

    // Nothing left to withdraw: 409, and nothing stored.
    const again = await withdraw({ accountIds: [fake.merchant.id], reason });
    expectError(again, 409, 'RISK_LABEL_NOT_ACTIVE', 'accountIds.0');
    // The payee was labelled as an account, not as a code or a device.
    expectError(await withdraw({ codeIds: [fake.merchant.id], reason }), 409, 'RISK_LABEL_NOT_ACTIVE', 'codeIds.0');
    expectError(await withdraw({ deviceIds: ['dev_never-labelled'], reason }), 409, 'RISK_LABEL_NOT_ACTIVE', 'deviceIds.0');
    expect(await labelRows()).toHaveLength(2);

    // A new process on the same database replays the labels in order: the withdrawal holds.
    const restarted = await restartedRisk();
    expect(restarted.assess(riskPayment(), Date.now()).decision.outcome).toBe('approve');
    expect((await restarted.partyLabels(fake.merchant.id)).labelledAs).toEqual([]);
    await world.verifyLedger();
  });

  it('a fraud label after a withdrawal labels the payee again, in this process and after a restart; two withdrawals at once: one wins', async () => {
    await labelPayee();
    expect((await apiError(paySmall())).code).toBe('RISK_DECLINED');
    expect((await lookup(fake.merchant.id)).body).toMatchObject({ labelled: true, labelledAs: ['account'] });
    expect((await lookup(fake.merchant.id)).body.labels.map((l) => l.verdict)).toEqual(['fraud', 'withdrawn', 'fraud']);
    const restarted = await restartedRisk();
    expect(restarted.assess(riskPayment(), Date.now()).decision.outcome).toBe('decline');

    const body = { accountIds: [fake.merchant.id], reason: 'second appeal upheld' };
    const both = await Promise.all([withdraw(body), withdraw(body)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await labelRows()).map((r) => r.verdict)).toEqual(['fraud', 'withdrawn', 'fraud', 'withdrawn']);
    expect((await paySmall()).status).toBe('succeeded');
  });

  it('bad requests are refused with 400 and change nothing: the label stays in force', async () => {
    await labelPayee();
    const id = fake.merchant.id;
    const rowsBefore = await labelRows();
    const before = await dbSnapshot(world.env.platform);
    const reason = 'a good reason';
    const bodies: Array<[unknown, string | undefined]> = [
      [{}, 'reason'],
      [{ reason }, 'accountIds'],
      [{ accountIds: [], deviceIds: [], codeIds: [], reason }, 'accountIds'],
      [{ accountIds: [id] }, 'reason'],
      [{ accountIds: [id], reason: 'no' }, 'reason'],
      [{ accountIds: [id], reason: '    ' }, 'reason'],
      [{ accountIds: [id], reason: 'x'.repeat(501) }, 'reason'],
      [{ accountIds: [id, id], reason }, 'accountIds'],
      [{ accountIds: Array.from({ length: 21 }, (_, i) => `mer_${i}`), reason }, 'accountIds'],
      [{ accountIds: [id, ...Array.from({ length: 9 }, (_, i) => `mer_${i}`)], deviceIds: Array.from({ length: 11 }, (_, i) => `dev_${i}`), reason }, 'accountIds'],
      [{ accountIds: ['mer x'], reason }, 'accountIds.0'],
      [{ accountIds: ['m'.repeat(65)], reason }, 'accountIds.0'],
      [{ accountIds: [''], reason }, 'accountIds.0'],
      [{ accountIds: id, reason }, 'accountIds'],
      [{ accountIds: [id], reason, note: 'extra' }, 'note'],
      [{ accountIds: [id], reason: 42 }, 'reason'],
    ];
    for (const [json, param] of bodies) expectError(await withdraw(json), 400, 'INVALID_REQUEST', param);
    expectError(await call(world.base, 'POST', '/v1/ops/risk/labels/withdraw', { token: analyst, raw: '{"accountIds":[' }), 400, 'INVALID_REQUEST');
    for (const query of ['', '?party=', `?party=${'m'.repeat(65)}`, '?party=mer%20x', '?party=mer%25', `?party=${id}&other=1`]) {
      expectError(await call(world.base, 'GET', `/v1/ops/risk/labels${query}`, { token: analyst }), 400, 'INVALID_REQUEST');
    }
    expectSameSnapshot(await dbSnapshot(world.env.platform), before);
    expect(await labelRows()).toEqual(rowsBefore);
    expect((await lookup(id)).body.labelled).toBe(true);
    expect((await apiError(paySmall())).code).toBe('RISK_DECLINED');
  });

  it('the look-up matches ids exactly (not by case, not `_` as a wildcard), and reads a long history page by page', async () => {
    const db = world.env.platform.store.db;
    const risk = world.env.platform.risk;
    /** A label on devices, written as the services write them (the running engine is not told: only the look-up is tested). */
    const store = async (verdict: 'fraud' | 'withdrawn', deviceIds: string[], atMs: number) => {
      const culprits = { accountIds: [], deviceIds, codeIds: [] };
      const input = verdict === 'fraud' ? { verdict, paymentId: null, payerId: 'cus_test', payeeId: 'mer_test', culprits } : { verdict, culprits };
      await db.insertInto('risk_labels').values(risk.labelRow(input, 'staff:test', atMs)).execute();
    };
    const t0 = Date.now() - 60_000;
    // Look-alikes of dev_Case labelled fraud after it was withdrawn: none of them may count as it.
    await store('fraud', ['dev_Case'], t0);
    await store('withdrawn', ['dev_Case'], t0 + 1);
    for (const [i, lookAlike] of ['dev_case', 'DEV_CASE', 'devXCase', 'dev_Case2', 'xdev_Case'].entries()) await store('fraud', [lookAlike], t0 + 2 + i);
    const found = await lookup('dev_Case');
    expect(found.body).toMatchObject({ labelled: false, labelledAs: [] });
    expect(found.body.labels.map((l) => l.verdict)).toEqual(['withdrawn', 'fraud']);
    expect(await risk.labelled({ accountIds: [], deviceIds: ['dev_Case', 'dev_case', 'devXCase'], codeIds: [] })).toEqual({ accountIds: [], deviceIds: ['dev_case', 'devXCase'], codeIds: [] });

    // More rows than a page: the newest decides, and the history stops at its bound.
    for (let i = 0; i < 104; i++) await store(i % 2 === 0 ? 'fraud' : 'withdrawn', ['dev_busy'], t0 + i);
    const busy = await lookup('dev_busy');
    expect(busy.body.labelled).toBe(false);
    expect(busy.body.labels).toHaveLength(100);
    expect(busy.body.labels.map((l) => l.createdAtMs)).toEqual(Array.from({ length: 100 }, (_, i) => t0 + 103 - i));
    const paged: string[] = [];
    for await (const row of labelsNaming(db, 'dev_busy', 7)) paged.push(row.id);
    expect(paged).toHaveLength(104);
    expect(paged.slice(0, 100)).toEqual(busy.body.labels.map((l) => l.id));
  });

  it('only risk analysts and admins look labels up and withdraw them', async () => {
    const id = fake.merchant.id;
    const rowsBefore = await labelRows();
    const body = { accountIds: [id], reason: 'not mine to decide' };
    for (const role of ['support', 'compliance'] as const) {
      const token = await staffToken(world.env.platform, role);
      expectError(await lookup(id, token), 403, 'FORBIDDEN');
      expectError(await withdraw(body, { token }), 403, 'FORBIDDEN');
    }
    expectError(await call(world.base, 'GET', `/v1/ops/risk/labels?party=${id}`), 401, 'UNAUTHENTICATED');
    expectError(await call(world.base, 'POST', '/v1/ops/risk/labels/withdraw', { json: body }), 401, 'UNAUTHENTICATED');
    // A wallet's session is not a staff token.
    expectError(await withdraw(body, { token: customer.sessionToken! }), 401, 'UNAUTHENTICATED');
    expect(await labelRows()).toEqual(rowsBefore);
    // An admin may.
    expect((await lookup(id, world.adminToken)).body.labelled).toBe(true);
    const done = await withdraw({ accountIds: [id], reason: 'admin upheld the appeal' }, { token: world.adminToken });
    expect(done.status, done.text).toBe(200);
    expect((await paySmall()).status).toBe('succeeded');
  });
});
