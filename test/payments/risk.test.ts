import { DEFAULT_RULE_SET } from '../../src/core/risk/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuleSet } from '../../src/core/risk/index.js';
import type { MerchantClient, Merchant, WalletClient } from '../../src/sdk/index.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, staffToken } from '../http/helpers.js';
import { apiError, openWorld, type World } from './world.js';
import { RiskService } from '../../src/service/risk.js';

// The risk engine inline in the payment flow, with a small rule set whose outcomes follow the
// amount, so each outcome is reached on purpose: a challenge met by a step-up, a hold decided by
// an analyst, a decline. (The default rules' scenarios are tested in test/risk.)
const RULES: RuleSet = {
  version: 'e2e-amounts-1',
  thresholds: { challenge: 100, review: 200, decline: 300 },
  rules: [
    { id: 'over-100', description: 'a payment of 100 yuan or more', showCustomer: true, when: { feature: 'amount_minor', op: 'ge', value: 10_000 }, score: 1, outcome: 'challenge' },
    { id: 'over-1000', description: 'a payment of 1,000 yuan or more', when: { feature: 'amount_minor', op: 'ge', value: 100_000 }, score: 1, outcome: 'review' },
    { id: 'over-5000', description: 'a payment of 5,000 yuan or more', when: { feature: 'amount_minor', op: 'ge', value: 500_000 }, score: 1, outcome: 'decline' },
    { id: 'hold-199', description: 'exactly 199 yuan: a hold below the password-free limit', when: { feature: 'amount_minor', op: 'eq', value: 19_900 }, score: 1, outcome: 'review' },
    { id: 'label-payee', description: 'an analyst found the payee to be a fraudster', when: { feature: 'payee_confirmed_fraud', op: 'eq', value: true }, score: 1, outcome: 'decline' },
  ],
};
const PIN = '135790';

describe.each(STORE_NAMES)('the risk engine in the payment flow (%s)', (store) => {
  let world: World;
  let shop: { client: MerchantClient; merchant: Merchant };
  let payer: WalletClient;
  let analyst: string;
  const available = (w: WalletClient) => world.available(`wallet:${w.consumerId}:CNY`);

  beforeAll(async () => {
    world = await openWorld(store, { riskRuleSet: RULES });
    shop = await world.merchant('Night Market');
    payer = (await world.verifiedWallet('Wen', 2_000_000n)).wallet;
    await payer.setPin(PIN);
    analyst = await staffToken(world.env.platform, 'risk');
  });
  afterAll(async () => world?.close());

  it('a challenged payment is refused until the wallet steps up, then completes with the PIN', async () => {
    const order = await shop.client.createOrder({ amountMinor: 15_000, reference: `chal-${store}` });
    const prepared = await payer.prepare({ code: order.payload });
    const before = await available(payer);
    const challenged = await apiError(payer.confirmPrepared(prepared));
    expect({ status: challenged.status, code: challenged.code }).toEqual({ status: 403, code: 'RISK_CHALLENGE' });
    expect(challenged.message).toContain('a payment of 100 yuan or more');
    expect(await available(payer)).toBe(before);
    const paid = await payer.confirmPrepared(prepared, { pin: PIN });
    expect(paid.status).toBe('succeeded');
    const decisions = await world.env.platform.store.db.selectFrom('risk_decisions').selectAll().where('challenge_id', '=', prepared.challengeId).orderBy('created_at_ms').execute();
    expect(decisions.map((d) => [d.outcome, d.effect])).toEqual([
      ['challenge', 'challenged'],
      ['challenge', 'completed'],
    ]);
  });

  it('a held payment reserves the money until an analyst posts it, or releases it back', async () => {
    const order = await shop.client.createOrder({ amountMinor: 150_000, reference: `hold-${store}` });
    const before = { payer: await available(payer), merchant: await world.available(`merchant:${shop.merchant.id}:CNY`) };
    const held = await payer.pay({ code: order.payload, pin: PIN });
    expect(held.status).toBe('held_for_review');
    expect(await available(payer)).toBe(before.payer - 150_000n);
    expect((await shop.client.order(order.id)).status).toBe('held');
    const queue = await call(world.base, 'GET', '/v1/ops/risk/reviews', { token: analyst });
    expect(queue.status, queue.text).toBe(200);
    const entry = queue.body.held.find((h: { payment: { id: string } }) => h.payment.id === held.id);
    expect(entry.risk.hits.map((h: { ruleId: string }) => h.ruleId)).toEqual(['over-100', 'over-1000']);
    // A merchant sees it waiting; nothing is in its balance yet.
    expect((await shop.client.payment(held.id)).status).toBe('held_for_review');
    expect(await world.available(`merchant:${shop.merchant.id}:CNY`)).toBe(before.merchant);
    const approved = await call(world.base, 'POST', `/v1/ops/risk/reviews/${held.id}/approve`, { token: analyst });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.status).toBe('succeeded');
    expect((await shop.client.order(order.id)).status).toBe('paid');
    expect(await world.available(`merchant:${shop.merchant.id}:CNY`)).toBe(before.merchant + 150_000n - BigInt(approved.body.feeMinor));
    expect((await call(world.base, 'POST', `/v1/ops/risk/reviews/${held.id}/approve`, { token: analyst })).body.error.code).toBe('PAYMENT_NOT_HELD');

    const second = await shop.client.createOrder({ amountMinor: 120_000, reference: `hold2-${store}` });
    const beforeSecond = await available(payer);
    const heldAgain = await payer.pay({ code: second.payload, pin: PIN });
    const declined = await call(world.base, 'POST', `/v1/ops/risk/reviews/${heldAgain.id}/decline`, { token: analyst });
    expect(declined.status, declined.text).toBe(200);
    expect(declined.body.status).toBe('declined');
    expect(await available(payer)).toBe(beforeSecond);
    // The order can be paid again (by someone the engine lets through), and the caps were given back.
    expect((await shop.client.order(second.id)).status).toBe('open');
    await world.verifyLedger();
  });

  it('a hold that a rule also wanted stepped up asks for the step-up first: without it nothing is held or queued', async () => {
    // 199 yuan needs no PIN by itself (password-free up to 200); over-100 asks for a step-up and
    // hold-199 holds. A thief without the PIN is refused at once and never reaches the queue, where
    // an analyst might post the theft.
    const order = await shop.client.createOrder({ amountMinor: 19_900, reference: `stepfirst-${store}` });
    const before = await available(payer);
    const prepared = await payer.prepare({ code: order.payload });
    const unproven = await apiError(payer.confirmPrepared(prepared));
    expect({ status: unproven.status, code: unproven.code }).toEqual({ status: 403, code: 'RISK_CHALLENGE' });
    expect(await available(payer)).toBe(before);
    const queue = await call(world.base, 'GET', '/v1/ops/risk/reviews', { token: analyst });
    expect(queue.body.held.filter((h: { payment: { orderId?: string } }) => h.payment.orderId === order.id)).toEqual([]);
    const held = await payer.confirmPrepared(prepared, { pin: PIN });
    expect(held.status).toBe('held_for_review');
    expect(await available(payer)).toBe(before - 19_900n);
    const decisions = await world.env.platform.store.db.selectFrom('risk_decisions').selectAll().where('challenge_id', '=', prepared.challengeId).orderBy('created_at_ms').execute();
    expect(decisions.map((d) => [d.outcome, d.effect])).toEqual([
      ['review', 'challenged'],
      ['review', 'held'],
    ]);
    const released = await call(world.base, 'POST', `/v1/ops/risk/reviews/${held.id}/decline`, { token: analyst });
    expect(released.status, released.text).toBe(200);
    expect(await available(payer)).toBe(before);
  });

  it("an analyst's verdicts feed back as labels: a decline naming the payee stops the next payment to it, also after a restart; a post trusts the pair", async () => {
    const fake = await world.merchant('Sticker Counter');
    const db = world.env.platform.store.db;
    const order = await fake.client.createOrder({ amountMinor: 150_000, reference: `label-${store}` });
    const held = await payer.pay({ code: order.payload, pin: PIN });
    expect(held.status).toBe('held_for_review');
    // Bad input is refused with its code and changes nothing.
    for (const body of [{ confirmedFraud: ['nobody'] }, { confirmedFraud: ['payee', 'payee'] }, { confirmedFraud: 'payee' }, { other: 1 }]) {
      const bad = await call(world.base, 'POST', `/v1/ops/risk/reviews/${held.id}/decline`, { token: analyst, json: body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.code).toBe('INVALID_REQUEST');
    }
    expect(await db.selectFrom('risk_labels').selectAll().where('payment_id', '=', held.id).execute()).toEqual([]);
    const declined = await call(world.base, 'POST', `/v1/ops/risk/reviews/${held.id}/decline`, { token: analyst, json: { confirmedFraud: ['payee', 'device'] } });
    expect(declined.status, declined.text).toBe(200);
    expect(declined.body.status).toBe('declined');
    const label = await db.selectFrom('risk_labels').selectAll().where('payment_id', '=', held.id).executeTakeFirstOrThrow();
    expect({ verdict: label.verdict, accounts: JSON.parse(label.culprit_accounts), devices: JSON.parse(label.culprit_devices).length, actor: label.actor.startsWith('staff:') }).toEqual({
      verdict: 'fraud',
      accounts: [fake.merchant.id],
      devices: 1,
      actor: true,
    });

    // Another customer's small payment to the flagged payee: no amount rule fires, the label does.
    const other = (await world.verifiedWallet('Lu', 100_000n)).wallet;
    const small = await fake.client.createOrder({ amountMinor: 2_000, reference: `label-small-${store}` });
    const refused = await apiError(other.pay({ code: small.payload }));
    expect({ status: refused.status, code: refused.code }).toEqual({ status: 402, code: 'RISK_DECLINED' });
    const row = await db.selectFrom('risk_decisions').selectAll().where('payer_consumer_id', '=', other.consumerId!).executeTakeFirstOrThrow();
    expect(JSON.parse(row.hits).map((h: { ruleId: string }) => h.ruleId)).toEqual(['label-payee']);
    // The same shop's neighbour is not touched.
    const fine = await shop.client.createOrder({ amountMinor: 2_000, reference: `label-fine-${store}` });
    expect((await other.pay({ code: fine.payload })).status).toBe('succeeded');

    // A new process rebuilds the features from the database, labels included.
    const restarted = new RiskService(db, RULES);
    await restarted.warmUp();
    const payment = {
      kind: 'merchant' as const,
      payerId: other.consumerId!,
      deviceId: 'any',
      ip: undefined,
      payeeId: fake.merchant.id,
      payeeKind: 'business' as const,
      merchantTier: 'standard' as const,
      codeId: undefined,
      codeKind: 'dynamic' as const,
      codeVerdict: 'genuine' as const,
      amountMinor: 2_000n,
      currency: 'CNY',
      placeId: undefined,
    };
    expect(restarted.assess(payment, Date.now()).decision.outcome).toBe('decline');
    expect(restarted.assess({ ...payment, payeeId: shop.merchant.id }, Date.now()).decision.outcome).toBe('approve');

    // Posting a held payment labels the pair legitimate.
    const big = await shop.client.createOrder({ amountMinor: 110_000, reference: `label-post-${store}` });
    const heldBig = await payer.pay({ code: big.payload, pin: PIN });
    const posted = await call(world.base, 'POST', `/v1/ops/risk/reviews/${heldBig.id}/approve`, { token: analyst });
    expect(posted.status, posted.text).toBe(200);
    const legit = await db.selectFrom('risk_labels').selectAll().where('payment_id', '=', heldBig.id).executeTakeFirstOrThrow();
    expect([legit.verdict, legit.payer_id, legit.payee_id]).toEqual(['legitimate', payer.consumerId, shop.merchant.id]);
    await world.verifyLedger();
  });

  it('a declined payment moves nothing and is recorded with its hits', async () => {
    const order = await shop.client.createOrder({ amountMinor: 600_000, reference: `decl-${store}` });
    const before = await available(payer);
    const error = await apiError(payer.pay({ code: order.payload, pin: PIN }));
    expect({ status: error.status, code: error.code }).toEqual({ status: 402, code: 'RISK_DECLINED' });
    expect(await available(payer)).toBe(before);
    expect((await shop.client.order(order.id)).status).toBe('open');
    const row = await world.env.platform.store.db.selectFrom('risk_decisions').selectAll().where('effect', '=', 'declined').where('payer_consumer_id', '=', payer.consumerId!).executeTakeFirstOrThrow();
    expect(JSON.parse(row.hits).map((h: { ruleId: string }) => h.ruleId)).toEqual(['over-100', 'over-1000', 'over-5000']);
  });

  it('a merchant-scanned code the engine doubts goes to the consumer\'s phone for a signed confirmation; a hold there waits for the analyst; a decline spends the code', async () => {
    const code = async () => {
      world.clock.advance(20_000);
      return (await payer.paymentCode(world.clock.now())).digits;
    };
    // 150 yuan: under the password-free limit, but challenged: the consumer confirms with the PIN.
    const challenged = await shop.client.scan({ code: await code(), amountMinor: 15_000 });
    expect(challenged.status).toBe('awaiting_confirmation');
    expect((await payer.confirm(challenged.id, PIN)).status).toBe('succeeded');

    // 1,500 yuan: confirmed on the phone, then held for review; the analyst posts it.
    const merchantBefore = await world.available(`merchant:${shop.merchant.id}:CNY`);
    const big = await shop.client.scan({ code: await code(), amountMinor: 150_000 });
    const held = await payer.confirm(big.id, PIN);
    expect(held.status).toBe('held_for_review');
    // The confirmation's own timer, firing now, must not end the review; the review has its own.
    await world.env.platform.payments.confirmTimeout(big.id);
    expect((await shop.client.payment(big.id)).status).toBe('held_for_review');
    const reviewTimer = await world.env.platform.store.db.selectFrom('jobs').selectAll().where('id', '=', `payment.confirm_timeout:${big.id}:review`).executeTakeFirstOrThrow();
    expect(Number(reviewTimer.run_at_ms)).toBeGreaterThan(world.clock.now() + 23 * 60 * 60 * 1000);
    const approved = await call(world.base, 'POST', `/v1/ops/risk/reviews/${big.id}/approve`, { token: analyst });
    expect(approved.status, approved.text).toBe(200);
    expect(await world.available(`merchant:${shop.merchant.id}:CNY`)).toBe(merchantBefore + 150_000n - BigInt(approved.body.feeMinor));

    // 6,000 yuan: declined at the till; the code's step is spent, so it cannot be tried again.
    const payerBefore = await available(payer);
    const digits = await code();
    const declined = await apiError(shop.client.scan({ code: digits, amountMinor: 600_000 }));
    expect(declined.code).toBe('RISK_DECLINED');
    expect((await apiError(shop.client.scan({ code: digits, amountMinor: 100 }))).code).toBe('PAYMENT_CODE_USED');
    expect(await available(payer)).toBe(payerBefore);
    await world.verifyLedger();
  });

  it('within 72 hours of a PIN reset, the PIN does not meet a challenge: the payment is held for an analyst', async () => {
    const { wallet: reset, identity } = await world.verifiedWallet('Reset', 100_000n);
    await reset.setPin(PIN);
    await reset.resetPin({ ...identity, newPin: '864209' });
    const order = await shop.client.createOrder({ amountMinor: 15_000, reference: `reset-${store}` });
    expect((await reset.pay({ code: order.payload, pin: '864209' })).status).toBe('held_for_review');
    world.clock.advance(73 * 60 * 60 * 1000);
    const later = await shop.client.createOrder({ amountMinor: 15_000, reference: `reset-later-${store}` });
    expect((await reset.pay({ code: later.payload, pin: '864209' })).status).toBe('succeeded');
  });

  it('replays recorded decisions through a candidate rule set, then an admin activates it (audited, kept for the next start)', async () => {
    const candidate = {
      ...RULES,
      version: 'e2e-amounts-2',
      rules: [
        ...RULES.rules.filter((r) => r.id !== 'over-1000' && r.id !== 'hold-199'),
        { id: 'trial-over-50', description: 'on trial: 50 yuan or more', when: { feature: 'amount_minor', op: 'ge', value: 5_000 }, score: 1, shadow: true },
      ],
    };
    const dry = await call(world.base, 'POST', '/v1/ops/risk/rule-set/dry-run', { token: analyst, json: { ruleSet: candidate } });
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body.activeVersion).toBe('e2e-amounts-1');
    expect(dry.body.decisions).toBeGreaterThan(0);
    // Without the review rules, what was held would only be challenged.
    expect(dry.body.active.review).toBeGreaterThan(0);
    expect(dry.body.candidate.review).toBe(0);
    expect(dry.body.changed.length).toBe(dry.body.active.review);
    expect(dry.body.changed.every((c: { from: string; to: string }) => c.from === 'review' && c.to === 'challenge')).toBe(true);
    const over50 = await world.env.platform.store.db.selectFrom('risk_decisions').select('id').where('amount_minor', '>=', 5_000n).execute();
    expect(dry.body.shadowHits['trial-over-50']).toBe(over50.length);

    const bad = await call(world.base, 'POST', '/v1/ops/risk/rule-set/dry-run', { token: analyst, json: { ruleSet: { ...candidate, rules: [{ id: 'x', description: 'x', when: { feature: 'no_such_feature', op: 'ge', value: 1 }, score: 1 }] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('RISK_RULE_SET_INVALID');
    expect(bad.body.error.message).toContain('no_such_feature');

    expect((await call(world.base, 'POST', '/v1/ops/risk/rule-set', { token: analyst, json: { ruleSet: candidate } })).status).toBe(403);
    const activated = await call(world.base, 'POST', '/v1/ops/risk/rule-set', { token: world.adminToken, json: { ruleSet: candidate } });
    expect(activated.body).toEqual({ version: 'e2e-amounts-2', rules: candidate.rules.length });
    expect((await call(world.base, 'GET', '/v1/ops/risk/rule-set', { token: analyst })).body.ruleSet.version).toBe('e2e-amounts-2');
    // A 1,500-yuan order is now only challenged, and the PIN meets it.
    const order = await shop.client.createOrder({ amountMinor: 150_000, reference: `after-${store}` });
    expect((await payer.pay({ code: order.payload, pin: PIN })).status).toBe('succeeded');
    // Kept: a risk engine opened on this database starts with it.
    const next = new RiskService(world.env.platform.store.db);
    await next.loadActiveRuleSet();
    expect(next.ruleSet.source.version).toBe('e2e-amounts-2');
    const audit = await world.env.platform.store.db.selectFrom('audit_log').selectAll().where('action', '=', 'risk.rule_set.activate').execute();
    expect(audit.map((a) => a.object_id)).toEqual(['e2e-amounts-2']);
  });

  it('the default rule set, with its ratio thresholds (0.8), goes out and back in; ratios stay refused where money is', async () => {
    const defaults = JSON.stringify({ ruleSet: { ...DEFAULT_RULE_SET, version: 'defaults-round-trip' } });
    expect(defaults).toMatch(/:0\.[0-9]+/);
    const dry = await call(world.base, 'POST', '/v1/ops/risk/rule-set/dry-run', { token: analyst, raw: defaults });
    expect(dry.status, dry.text).toBe(200);
    const exponent = await call(world.base, 'POST', '/v1/ops/risk/rule-set/dry-run', { token: analyst, raw: defaults.replace(/:0\.8\b/, ':8e-1') });
    expect(exponent.status).toBe(400);
    expect(exponent.body.error.code).toBe('INVALID_JSON_NUMBER');
    const money = await call(world.base, 'POST', '/v1/wallet/topups', { token: payer.sessionToken, raw: '{"amountMinor":10.5,"currency":"CNY","bankAccount":"6222020200001234"}' });
    expect(money.status).toBe(400);
    expect(money.body.error.code).toBe('INVALID_JSON_NUMBER');
  });

  it('only risk analysts and admins reach the review queue', async () => {
    for (const role of ['support', 'compliance'] as const) {
      const token = await staffToken(world.env.platform, role);
      expect((await call(world.base, 'GET', '/v1/ops/risk/reviews', { token })).status).toBe(403);
    }
    expect((await call(world.base, 'GET', '/v1/ops/risk/reviews', { token: world.adminToken })).status).toBe(200);
  });
});
