import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET } from '../../src/core/risk/index.js';
import { withRecomputedCrc } from '../../src/core/qr/index.js';
import { policyDay } from '../../src/core/policy/cn-pboc.js';
import type { Merchant, MerchantClient, WalletClient } from '../../src/sdk/index.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, staffToken } from '../http/helpers.js';
import { openWorld, type World } from './world.js';

const fixtures = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/emv-mpm.json'), 'utf8')) as { mpm: Array<{ id: string; payload: string }> };
const PIX = fixtures.mpm.find((v) => v.id === 'pix-bcb-static')!.payload;

describe.each(STORE_NAMES)('code resolution, fraud reports, dashboard and summaries (%s)', (store) => {
  let world: World;
  let shop: { client: MerchantClient; merchant: Merchant; apiKey: string };
  let rival: { client: MerchantClient; merchant: Merchant };
  let alice: WalletClient;
  let bob: WalletClient;
  let till: string;
  const session = (w: WalletClient) => w.sessionToken!;

  beforeAll(async () => {
    // The real default rules: a report must reach the engine that decides the next payment.
    world = await openWorld(store, { riskRuleSet: DEFAULT_RULE_SET });
    shop = await world.merchant('Lanzhou Noodles');
    rival = await world.merchant('Other Noodles');
    alice = await world.wallet('Alice', 100_000n);
    bob = await world.wallet('Bob', 100_000n);
    till = (await shop.client.createTill('counter')).payload;
  });
  afterAll(async () => world?.close());

  const resolve = async (w: WalletClient, code: string) => call(world.base, 'POST', '/v1/wallet/codes/resolve', { token: session(w), json: { code } });

  it('resolves a genuine static code to the registered payee, before any amount, and issues nothing', async () => {
    const challenges = async () => (await world.env.platform.store.db.selectFrom('challenges').select('id').execute()).length;
    const before = await challenges();
    const r = await resolve(alice, till);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ verdict: 'genuine', initiation: 'static', currency: 'CNY', payee: { kind: 'merchant', id: shop.merchant.id, name: 'Lanzhou Noodles', verified: true, city: 'Shanghai' } });
    expect(await challenges()).toBe(before);
    // The SDK says the same.
    expect((await alice.resolve(till)).payee?.name).toBe('Lanzhou Noodles');
  });

  it('an order code carries its amount; a paid one is "used", not an alarm', async () => {
    const order = await shop.client.createOrder({ amountMinor: 2_300, reference: `r-${store}-1`, description: 'two bowls' });
    const open = await resolve(alice, order.payload);
    expect(open.body).toMatchObject({ verdict: 'genuine', initiation: 'dynamic', amountMinor: 2_300, description: 'two bowls', payee: { name: 'Lanzhou Noodles' } });
    await alice.pay({ code: order.payload });
    const used = await resolve(alice, order.payload);
    expect(used.body.verdict).toBe('used');
  });

  it('a code edited after signing is counterfeit, a Pix code foreign, a link is a url with its domain, text is text', async () => {
    const redirected = withRecomputedCrc(till.replace(shop.merchant.id, rival.merchant.id));
    const counterfeit = await resolve(alice, redirected);
    expect(counterfeit.status).toBe(200);
    expect(counterfeit.body.verdict).toBe('counterfeit');
    expect(counterfeit.body.payee).toBeUndefined();
    expect(counterfeit.body.message).toMatch(/Do not pay/);
    const pix = await resolve(alice, PIX);
    expect(pix.body).toMatchObject({ verdict: 'foreign', scheme: 'pix' });
    const link = await resolve(alice, 'http://a1ipay.com.pay-now.example/x?amount=10');
    expect(link.body.verdict).toBe('url');
    expect(link.body.url.domain).toBe('a1ipay.com.pay-now.example');
    expect(link.body.url.warnings).toContain('plain_http');
    expect((await resolve(alice, 'hello there')).body).toMatchObject({ verdict: 'text', text: 'hello there' });
    const tooLong = await resolve(alice, 'x'.repeat(5000));
    expect(tooLong.status).toBe(400);
    expect((await call(world.base, 'POST', '/v1/wallet/codes/resolve', { json: { code: till } })).status).toBe(401);
  });

  it('"this wasn\'t me": the payer files a report with its evidence; nobody else can; once per payment; the payee is held next time', async () => {
    const payment = await alice.pay({ code: till, amountMinor: 1_250 });
    expect(payment.status).toBe('succeeded');
    // Bob did not make this payment: he learns nothing about it.
    const stranger = await call(world.base, 'POST', `/v1/wallet/payments/${payment.id}/report`, { token: session(bob), json: { reason: 'unauthorised' } });
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('PAYMENT_NOT_FOUND');
    const bad = await call(world.base, 'POST', `/v1/wallet/payments/${payment.id}/report`, { token: session(alice), json: { reason: 'because' } });
    expect(bad.status).toBe(400);
    expect(await world.env.platform.store.db.selectFrom('fraud_reports').select('id').execute()).toHaveLength(0);

    const filed = await call(world.base, 'POST', `/v1/wallet/payments/${payment.id}/report`, { token: session(alice), json: { reason: 'unauthorised', description: 'my phone was stolen' } });
    expect(filed.status, filed.text).toBe(201);
    expect(filed.body).toMatchObject({ kind: 'payment', reason: 'unauthorised', status: 'open', paymentId: payment.id, payeeName: 'Lanzhou Noodles', amountMinor: 1_250, currency: 'CNY' });
    expect(filed.body.id).toMatch(/^frp_/);
    const again = await call(world.base, 'POST', `/v1/wallet/payments/${payment.id}/report`, { token: session(alice), json: { reason: 'unauthorised' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('FRAUD_REPORT_EXISTS');
    const mine = await call(world.base, 'GET', '/v1/wallet/reports', { token: session(alice) });
    expect(mine.body.items.map((r: { id: string }) => r.id)).toEqual([filed.body.id]);
    expect((await call(world.base, 'GET', '/v1/wallet/reports', { token: session(bob) })).body.items).toEqual([]);
    expect((await alice.reports()).map((r) => r.id)).toEqual([filed.body.id]);

    // Operators see it with the evidence: the payment, its risk decision, the device.
    const ops = await call(world.base, 'GET', `/v1/ops/fraud-reports/${filed.body.id}`, { token: world.adminToken });
    expect(ops.status).toBe(200);
    expect(ops.body.reporterConsumerId).toBe(alice.consumerId);
    expect(ops.body.evidence.payment).toMatchObject({ id: payment.id, status: 'succeeded', channel: 'static_merchant_code' });
    expect(ops.body.evidence.device.id).toBe(alice.device!.deviceId);
    expect(ops.body.evidence.riskDecisions[0]).toMatchObject({ effect: 'completed' });

    // The risk engine heard it: Bob's next payment to that payee is held for an analyst.
    const held = await bob.pay({ code: till, amountMinor: 1_000 });
    expect(held.status).toBe('held_for_review');
    const decision = await world.env.platform.store.db.selectFrom('risk_decisions').select(['hits']).where('payment_id', '=', held.id).executeTakeFirstOrThrow();
    expect(decision.hits).toContain('report.payee-reported');
  });

  it('"report this code": a counterfeit is recorded with its verdict and holds no honest merchant', async () => {
    const redirected = withRecomputedCrc(till.replace(shop.merchant.id, rival.merchant.id));
    const r = await call(world.base, 'POST', '/v1/wallet/code-reports', { token: session(bob), json: { code: redirected, description: 'sticker on the noodle stall' } });
    expect(r.status, r.text).toBe(201);
    expect(r.body).toMatchObject({ kind: 'code', reason: 'counterfeit_code', codeVerdict: 'counterfeit', merchantId: null, paymentId: null });
    const rivalTill = (await rival.client.createTill('front')).payload;
    const fine = await alice.pay({ code: rivalTill, amountMinor: 900 });
    expect(fine.status).toBe('succeeded');
  });

  it('operators list reports by status and move them on; each change is audited; roles are enforced', async () => {
    const open = await call(world.base, 'GET', '/v1/ops/fraud-reports?status=open', { token: world.adminToken });
    expect(open.body.items.length).toBeGreaterThanOrEqual(2);
    const id = open.body.items.find((r: { kind: string }) => r.kind === 'payment').id as string;
    const compliance = await staffToken(world.env.platform, 'compliance');
    expect((await call(world.base, 'GET', '/v1/ops/fraud-reports', { token: compliance })).status).toBe(200);
    const refused = await call(world.base, 'POST', `/v1/ops/fraud-reports/${id}/status`, { token: compliance, json: { status: 'closed' } });
    expect(refused.status).toBe(403);
    const support = await staffToken(world.env.platform, 'support');
    const moved = await call(world.base, 'POST', `/v1/ops/fraud-reports/${id}/status`, { token: support, json: { status: 'investigating', note: 'called the customer' } });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({ status: 'investigating', resolution: 'called the customer' });
    expect((await call(world.base, 'POST', `/v1/ops/fraud-reports/${id}/status`, { token: support, json: { status: 'lost' } })).status).toBe(400);
    expect((await call(world.base, 'POST', '/v1/ops/fraud-reports/frp_nope/status', { token: support, json: { status: 'closed' } })).status).toBe(404);
    const investigating = await call(world.base, 'GET', '/v1/ops/fraud-reports?status=investigating', { token: world.adminToken });
    expect(investigating.body.items.map((r: { id: string }) => r.id)).toEqual([id]);
    const audit = await call(world.base, 'GET', '/v1/ops/audit?limit=5', { token: world.adminToken });
    expect(audit.status).toBe(200);
    expect(audit.body.items[0]).toMatchObject({ action: 'fraud_report.status', objectId: id, detail: { status: 'investigating' } });
    expect(audit.body.items.map((i: { action: string }) => i.action)).toContain('fraud_report.filed.code');
    // Paging goes back in time without overlap.
    const page2 = await call(world.base, 'GET', `/v1/ops/audit?limit=5&beforeSeq=${audit.body.nextBeforeSeq}`, { token: world.adminToken });
    expect(Math.max(...page2.body.items.map((i: { seq: number }) => i.seq))).toBeLessThan(audit.body.nextBeforeSeq);
    expect((await call(world.base, 'GET', '/v1/ops/audit', { token: support })).status).toBe(403);
  });

  it('a report the investigation confirms labels the payee: the next payment to it from anyone new is declined', async () => {
    const fake = await world.merchant('Bubble Tea Corner');
    const fakeTill = (await fake.client.createTill('counter')).payload;
    const carol = await world.wallet('Carol', 100_000n);
    const dan = await world.wallet('Dan', 100_000n);
    const paid = await dan.pay({ code: fakeTill, amountMinor: 1_800 });
    const filed = await call(world.base, 'POST', `/v1/wallet/payments/${paid.id}/report`, { token: session(dan), json: { reason: 'scam', description: 'the tea never came' } });
    expect(filed.status, filed.text).toBe(201);
    // A report with no payee cannot confirm one.
    const codeReport = (await call(world.base, 'GET', '/v1/ops/fraud-reports?status=open', { token: world.adminToken })).body.items.find((r: { kind: string; payeeId: string | null }) => r.kind === 'code' && r.payeeId === null);
    if (codeReport) {
      const none = await call(world.base, 'POST', `/v1/ops/fraud-reports/${codeReport.id}/status`, { token: world.adminToken, json: { status: 'closed', confirmedFraud: true } });
      expect(none.status).toBe(400);
    }
    const closed = await call(world.base, 'POST', `/v1/ops/fraud-reports/${filed.body.id}/status`, { token: world.adminToken, json: { status: 'closed', note: 'merchant took the money and closed', confirmedFraud: true } });
    expect(closed.status, closed.text).toBe(200);
    const labels = await world.env.platform.store.db.selectFrom('risk_labels').selectAll().where('payment_id', '=', paid.id).execute();
    expect(labels.map((l) => [l.verdict, JSON.parse(l.culprit_accounts)])).toEqual([['fraud', [fake.merchant.id]]]);
    const refused = await call(world.base, 'POST', '/v1/wallet/codes/resolve', { token: session(carol), json: { code: fakeTill } });
    expect(refused.status).toBe(200);
    let error: { code?: string } = {};
    try {
      await carol.pay({ code: fakeTill, amountMinor: 1_000 });
    } catch (e) {
      error = e as { code?: string };
    }
    expect(error.code).toBe('RISK_DECLINED');
    const decision = await world.env.platform.store.db.selectFrom('risk_decisions').select(['hits', 'outcome']).where('payer_consumer_id', '=', carol.consumerId!).executeTakeFirstOrThrow();
    expect(decision.outcome).toBe('decline');
    expect(decision.hits).toContain('label.payee-confirmed-fraud');
  });

  it('the dashboard counts the last hour, the reserve verdict and open cases; /v1/ops/me tells the role', async () => {
    const support = await staffToken(world.env.platform, 'support');
    const me = await call(world.base, 'GET', '/v1/ops/me', { token: support });
    expect(me.body).toMatchObject({ role: 'support' });
    const d = await call(world.base, 'GET', '/v1/ops/dashboard', { token: support });
    expect(d.status, d.text).toBe(200);
    expect(d.body.perMinute).toHaveLength(60);
    const succeeded = await world.env.platform.store.db.selectFrom('payments').select(['amount_minor']).where('status', 'in', ['succeeded', 'refunded']).execute();
    expect(d.body.perMinute.reduce((s: number, m: { payments: number }) => s + m.payments, 0)).toBe(succeeded.length);
    expect(d.body.perMinute.reduce((s: number, m: { amountMinor: number }) => s + m.amountMinor, 0)).toBe(succeeded.reduce((s, p) => s + Number(p.amount_minor), 0));
    expect(d.body.reserve.ok).toBe(true);
    expect(d.body.openCases).toEqual({ riskReviews: 1, fraudReports: 2, pendingMerchants: 0 });
    expect(d.body.risk.held).toBe(1);
    expect(d.body.risk.decisions).toBeGreaterThanOrEqual(4);
  });

  it("a merchant's day: gross, refunds, fee and net, by hour of the policy day", async () => {
    const before = await call(world.base, 'GET', '/v1/merchant/summary', { token: rival.client.http.token! });
    expect(before.status, before.text).toBe(200);
    const p = await alice.pay({ code: (await rival.client.tills())[0]!.payload, amountMinor: 2_000 });
    await rival.client.refund(p.id, { amountMinor: 500 });
    const s = (await call(world.base, 'GET', '/v1/merchant/summary', { token: rival.client.http.token! })).body;
    expect(s.day).toBe(policyDay(world.clock.now()));
    expect(s.payments).toBe(before.body.payments + 1);
    expect(s.grossMinor).toBe(before.body.grossMinor + 2_000);
    expect(s.refundedMinor).toBe(before.body.refundedMinor + 500);
    expect(s.netMinor).toBe(s.grossMinor - s.refundedMinor - s.feeMinor);
    expect(s.hourly).toHaveLength(24);
    expect(s.hourly.reduce((n: number, h: { payments: number }) => n + h.payments, 0)).toBe(s.payments);
    expect((await call(world.base, 'GET', '/v1/merchant/summary')).status).toBe(401);
    // The counter app learns what the key in use may do.
    const me = await call(world.base, 'GET', '/v1/merchant', { token: rival.client.http.token! });
    expect(me.body.key).toMatchObject({ role: 'owner' });
    expect(me.body.key.id).toMatch(/^key_/);
  });
});
