import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformAccountId } from '../../src/core/ledger/index.js';
import { WalletClient, createDeviceKey, type MerchantClient, type Merchant } from '../../src/sdk/index.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { apiError, openWorld, uniqueIdentifier, type World } from './world.js';
import { call } from '../http/helpers.js';

const FEES = platformAccountId('fees', 'CNY');

describe.each(STORE_NAMES)('payment flows end to end through the SDK (%s)', (store) => {
  let world: World;
  let shop: { client: MerchantClient; merchant: Merchant };
  let alice: WalletClient;
  let bob: WalletClient;
  const merchantAccount = () => `merchant:${shop.merchant.id}:CNY`;
  const wallet = (w: WalletClient) => `wallet:${w.consumerId}:CNY`;

  beforeAll(async () => {
    world = await openWorld(store);
    shop = await world.merchant('Lanzhou Noodles');
    alice = await world.wallet('Alice', 1_000_000n);
    bob = await world.wallet('Bob', 0n);
    await alice.setPin('135790');
  });
  afterAll(async () => world?.close());

  it('pays a static till code: the wallet sees the registered payee, signs, and the merchant is credited less the fee', async () => {
    const till = await shop.client.createTill('counter 1');
    const prepared = await alice.prepare({ code: till.payload, amountMinor: 1250 });
    expect(prepared.payee).toEqual({ kind: 'merchant', id: shop.merchant.id, name: 'Lanzhou Noodles', verified: true });
    expect(prepared.message).toContain('amount: 1250 CNY (12.50 CNY)');
    expect(prepared.pinRequired).toBe(false);
    const before = { alice: await world.available(wallet(alice)), merchant: await world.available(merchantAccount()), fees: await world.available(FEES) };
    const payment = await alice.confirmPrepared(prepared);
    expect(payment).toMatchObject({ status: 'succeeded', amountMinor: 1250, feeMinor: 5, level: 'D', channel: 'static_merchant_code', payeeName: 'Lanzhou Noodles' });
    expect(await world.available(wallet(alice))).toBe(before.alice - 1250n);
    expect(await world.available(merchantAccount())).toBe(before.merchant + 1245n);
    expect(await world.available(FEES)).toBe(before.fees + 5n);
    expect((await shop.client.payment(payment.id)).status).toBe('succeeded');
    expect((await alice.history()).map((p) => p.id)).toContain(payment.id);
    await world.verifyLedger();
  });

  it('pays a dynamic order code once; a second payer and a closed or expired order are refused', async () => {
    const order = await shop.client.createOrder({ amountMinor: 8800, reference: `table-7-${store}`, description: 'two bowls' });
    expect(order.status).toBe('open');
    // The reference makes creation idempotent.
    expect((await shop.client.createOrder({ amountMinor: 8800, reference: `table-7-${store}`, description: 'two bowls' })).id).toBe(order.id);
    expect((await apiError(shop.client.createOrder({ amountMinor: 9900, reference: `table-7-${store}`, description: 'two bowls' }))).code).toBe('ORDER_REFERENCE_EXISTS');
    const paid = await alice.pay({ code: order.payload });
    expect(paid).toMatchObject({ status: 'succeeded', amountMinor: 8800, orderId: order.id, level: 'C', compensationPromise: true });
    expect((await shop.client.order(order.id)).status).toBe('paid');
    await world.fund(bob.consumerId!, 20_000n);
    expect((await apiError(bob.pay({ code: order.payload }))).code).toBe('ORDER_NOT_OPEN');
    expect((await apiError(shop.client.closeOrder(order.id))).code).toBe('ORDER_NOT_OPEN');

    const closed = await shop.client.createOrder({ amountMinor: 500, reference: `closed-${store}` });
    expect((await shop.client.closeOrder(closed.id)).status).toBe('closed');
    expect((await apiError(bob.pay({ code: closed.payload }))).code).toBe('ORDER_NOT_OPEN');

    const expiring = await shop.client.createOrder({ amountMinor: 500, reference: `expiring-${store}`, ttlMs: 10_000 });
    world.clock.advance(11_000);
    expect((await apiError(bob.pay({ code: expiring.payload }))).code).toBe('ORDER_EXPIRED');
    expect((await shop.client.order(expiring.id)).status).toBe('expired');
    await world.verifyLedger();
  });

  it('charges a payment code up to the password-free limit at once (level C), once only', async () => {
    const code = await alice.paymentCode(world.clock.now());
    const before = await world.available(wallet(alice));
    const payment = await shop.client.scan({ code: code.digits, amountMinor: 1800 });
    expect(payment).toMatchObject({ status: 'succeeded', channel: 'payment_code', level: 'C', compensationPromise: true, amountMinor: 1800 });
    expect(await world.available(wallet(alice))).toBe(before - 1800n);
    expect((await apiError(shop.client.scan({ code: code.digits, amountMinor: 1800 }))).code).toBe('PAYMENT_CODE_USED');
    expect(await world.available(wallet(alice))).toBe(before - 1800n);
  });

  it('holds a payment code above the limit until the consumer confirms with signature and PIN (level A), or declines, or it times out', async () => {
    world.clock.advance(20_000);
    const big = await shop.client.scan({ code: (await alice.paymentCode(world.clock.now())).digits, amountMinor: 50_000 });
    expect(big.status).toBe('awaiting_confirmation');
    const before = await world.available(wallet(alice));
    expect((await alice.confirmations()).map((p) => p.id)).toEqual([big.id]);
    const confirmed = await alice.confirm(big.id, '135790');
    expect(confirmed).toMatchObject({ status: 'succeeded', level: 'A', compensationPromise: false });
    expect(await world.available(wallet(alice))).toBe(before);
    expect((await shop.client.payment(big.id)).status).toBe('succeeded');

    world.clock.advance(20_000);
    const declined = await shop.client.scan({ code: (await alice.paymentCode(world.clock.now())).digits, amountMinor: 30_000 });
    const held = await world.available(wallet(alice));
    expect((await alice.decline(declined.id)).status).toBe('voided');
    expect(await world.available(wallet(alice))).toBe(held + 30_000n);
    expect((await apiError(alice.confirm(declined.id, '135790'))).code).toBe('PAYMENT_NOT_AWAITING_CONFIRMATION');

    world.clock.advance(20_000);
    const lapsed = await shop.client.scan({ code: (await alice.paymentCode(world.clock.now())).digits, amountMinor: 30_000 });
    const job = await world.env.platform.store.db.selectFrom('jobs').selectAll().where('id', '=', `payment.confirm_timeout:${lapsed.id}`).executeTakeFirstOrThrow();
    expect(Number(job.run_at_ms)).toBeGreaterThan(world.clock.now());
    await world.env.platform.payments.confirmTimeout(lapsed.id);
    expect((await shop.client.payment(lapsed.id)).status).toBe('expired');
    expect((await apiError(alice.confirm(lapsed.id, '135790'))).code).toBe('PAYMENT_NOT_AWAITING_CONFIRMATION');
    await world.verifyLedger();
  });

  it('transfers between people and pays a personal receiving code into the owner’s wallet, without fees', async () => {
    const before = await world.available(wallet(bob));
    const sent = await alice.transfer({ to: (await bob.me()).consumer.identifier, amountMinor: 3000 });
    expect(sent).toMatchObject({ kind: 'p2p', status: 'succeeded', feeMinor: 0, direction: 'sent' });
    expect(await world.available(wallet(bob))).toBe(before + 3000n);
    expect((await bob.payment(sent.id)).direction).toBe('received');
    const { till } = await bob.receivingCode();
    const viaCode = await alice.pay({ code: till.payload, amountMinor: 700 });
    expect(viaCode).toMatchObject({ kind: 'personal_code', status: 'succeeded', feeMinor: 0, payeeName: 'Bob' });
    expect(await world.available(wallet(bob))).toBe(before + 3700n);
    expect((await apiError(bob.pay({ code: till.payload, amountMinor: 100 }))).code).toBe('SELF_PAYMENT');
    await world.verifyLedger();
  });

  it('tops up from a bank account and withdraws to one through the SDK (sandbox bank), the reserve moving with the wallet', async () => {
    const reserve = platformAccountId('reserve', 'CNY');
    const reserveBalance = async () => {
      const a = await world.env.platform.ledger.account(reserve);
      return a.debitsPosted - a.creditsPosted;
    };
    const before = { bob: await world.available(wallet(bob)), reserve: await reserveBalance() };
    const topUp = await bob.topUp({ amountMinor: 50_000, bankAccount: '6222020200009876' });
    expect(topUp).toMatchObject({ kind: 'topup', status: 'succeeded', amountMinor: 50_000, accountMasked: '****9876' });
    expect(await world.available(wallet(bob))).toBe(before.bob + 50_000n);
    expect(await reserveBalance()).toBe(before.reserve + 50_000n);
    await bob.setPin('864209');
    const withdrawal = await bob.withdraw({ amountMinor: 20_000, bankAccount: '6222020200009876', pin: '864209' });
    expect(withdrawal).toMatchObject({ kind: 'withdrawal', status: 'succeeded', amountMinor: 20_000 });
    expect(await world.available(wallet(bob))).toBe(before.bob + 30_000n);
    expect(await reserveBalance()).toBe(before.reserve + 30_000n);
    expect((await bob.bankTransfers()).items.map((t) => t.id)).toEqual([withdrawal.id, topUp.id]);
    await world.verifyLedger();
  });

  it('recovers a lost sign-up answer with the device key alone, and restores the payment code with the PIN', async () => {
    const key = await createDeviceKey();
    const first = new WalletClient({ baseUrl: world.base });
    await first.signUp({ identifier: uniqueIdentifier('lost'), displayName: 'Lost Answer', key });
    await first.setPin('975310');
    await world.fund(first.consumerId!, 10_000n);
    // The phone kept its key but nothing of the answer: no device id, no session, no payment-code secret.
    const phone = new WalletClient({ baseUrl: world.base });
    const deviceId = await phone.signInWithKey(key);
    expect(deviceId).toBe(first.device!.deviceId);
    await phone.rotatePaymentCode('975310');
    world.clock.advance(20_000);
    const paid = await shop.client.scan({ code: (await phone.paymentCode(world.clock.now())).digits, amountMinor: 900 });
    expect(paid.status).toBe('succeeded');
    // The old secret no longer makes valid codes.
    world.clock.advance(20_000);
    expect((await apiError(shop.client.scan({ code: (await first.paymentCode(world.clock.now())).digits, amountMinor: 900 }))).code).toBe('PAYMENT_CODE_INVALID');
    // A receiving code needs no body at all.
    const res = await call(world.base, 'POST', '/v1/wallet/receiving-code', { token: phone.sessionToken });
    expect(res.status, res.text).toBe(200);
  });

  it('refunds partially and fully, returning the fee in proportion, never beyond the captured amount', async () => {
    const till = (await shop.client.tills())[0]!;
    const payment = await alice.pay({ code: till.payload, amountMinor: 10_000 });
    expect(payment.feeMinor).toBe(38);
    const before = { alice: await world.available(wallet(alice)), fees: await world.available(FEES) };
    const partial = await shop.client.refund(payment.id, { amountMinor: 2_500, reason: 'one dish missing' });
    expect(partial).toMatchObject({ status: 'succeeded', refundedMinor: 2_500 });
    expect((await apiError(shop.client.refund(payment.id, { amountMinor: 7_501 }))).code).toBe('REFUND_EXCEEDS_PAYMENT');
    const rest = await shop.client.refund(payment.id, { amountMinor: 7_500 });
    expect(rest).toMatchObject({ status: 'refunded', refundedMinor: 10_000 });
    expect(await world.available(wallet(alice))).toBe(before.alice + 10_000n);
    // 38 fen of fee: 9 returned with the first quarter (floor), the remaining 29 with the rest.
    expect(await world.available(FEES)).toBe(before.fees - 38n);
    expect((await apiError(shop.client.refund(payment.id, { amountMinor: 1 }))).code).toBe('PAYMENT_NOT_REFUNDABLE');
    await world.verifyLedger();
  });

  it('refuses a refund the merchant balance no longer covers after settlement, moving nothing, and takes it once receipts arrive', async () => {
    const till = (await shop.client.tills())[0]!;
    const payment = await alice.pay({ code: till.payload, amountMinor: 4_000 });
    const run = await world.env.platform.settlement.run();
    expect(run.results.find((r) => r.merchantId === shop.merchant.id)?.status).toBe('succeeded');
    expect(await world.available(merchantAccount())).toBe(0n);
    const before = { alice: await world.available(wallet(alice)), fees: await world.available(FEES) };
    const refused = await apiError(shop.client.refund(payment.id, { amountMinor: 4_000 }));
    expect({ status: refused.status, code: refused.code }).toEqual({ status: 409, code: 'REFUND_NOT_COVERED' });
    expect(await world.available(wallet(alice))).toBe(before.alice);
    expect(await world.available(FEES)).toBe(before.fees);
    expect((await shop.client.payment(payment.id)).refundedMinor).toBe(0);
    // New receipts cover it (with the fee share the platform returns: 15 of the 4,000's fee).
    await bob.pay({ code: till.payload, amountMinor: 4_000 });
    const refunded = await shop.client.refund(payment.id, { amountMinor: 4_000 });
    expect(refunded.status).toBe('refunded');
    expect(await world.available(wallet(alice))).toBe(before.alice + 4_000n);
    await world.verifyLedger();
  });
});
