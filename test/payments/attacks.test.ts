import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHALLENGE_TTL_MS, DEVICE_COOLING_OFF_MS, DEVICE_COOLING_OFF_PAYMENT_MINOR_MAX, PIN_ATTEMPTS_MAX } from '../../src/core/limits.js';
import { feeMinor } from '../../src/core/payments/fees.js';
import { buildMerchantCode, dammCheckDigit, withRecomputedCrc } from '../../src/core/qr/index.js';
import { SaomaApiError, WalletClient, signMessage, type Merchant, type MerchantClient } from '../../src/sdk/index.js';
import { ed25519Signer } from '../../src/service/qr-signing.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError } from '../http/helpers.js';
import { apiError, expectSameSnapshot, ledgerSnapshot, openWorld, residentIdNumber, type World } from './world.js';

// Attacks on each link of a payment: the consumer's payment code, the signed challenge, the order
// code, the static code, the PIN, a new device, the idempotency key. Each is refused with its stable
// error code and leaves the ledger exactly as it was (balances, transfers, and its own audit).

const PIN = '135790';
const fixtures = JSON.parse(fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/emv-mpm.json'), 'utf8')) as { mpm: Array<{ id: string; payload: string }> };
const PIX = fixtures.mpm.find((v) => v.id === 'pix-bcb-static')!.payload;

type Shop = { client: MerchantClient; merchant: Merchant; apiKey: string };

/** 18 digits a guesser would try: saoma's prefix, a device index, any one-time number, a valid Damm check. */
function guessedCode(deviceIndex = randomInt(0, 10_000_000)): string {
  const body = `77${String(deviceIndex).padStart(7, '0')}${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
  return body + dammCheckDigit(body);
}

async function refused(promise: Promise<unknown>, status: number, code: string): Promise<SaomaApiError> {
  const error = await apiError(promise);
  expect({ status: error.status, code: error.code }, error.message).toEqual({ status, code });
  return error;
}

/** The stable codes of settled calls: 'ok' for a success. */
function outcomes(results: readonly PromiseSettledResult<unknown>[]): string[] {
  return results.map((r) => {
    if (r.status === 'fulfilled') return 'ok';
    if (r.reason instanceof SaomaApiError) return r.reason.code;
    throw r.reason;
  });
}

function tally(codes: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of codes) out[c] = (out[c] ?? 0) + 1;
  return out;
}

describe.each(STORE_NAMES)('attacks on a payment, refused with their codes, the ledger untouched (%s)', (store) => {
  let world: World;
  let shop: Shop;
  let rival: Shop;
  let tillCode: string;
  let guessers = 0;
  const wallet = (w: WalletClient) => `wallet:${w.consumerId}:CNY`;
  const merchantAccount = (m: Shop) => `merchant:${m.merchant.id}:CNY`;

  beforeAll(async () => {
    world = await openWorld(store);
    shop = await world.merchant('Honest Tea House');
    rival = await world.merchant('Other Tea Shop');
    tillCode = (await shop.client.createTill('counter')).payload;
  });
  afterAll(async () => world?.close());

  /** Runs the attack and checks that it moved nothing: these balances, and the ledger as a whole. */
  async function untouched<T>(accounts: readonly string[], attack: () => Promise<T>): Promise<T> {
    const balances = await world.balances(accounts);
    const ledger = await ledgerSnapshot(world.env.platform);
    const result = await attack();
    expect(await world.balances(accounts)).toEqual(balances);
    expectSameSnapshot(await ledgerSnapshot(world.env.platform), ledger, 'the refused attack');
    await world.verifyLedger();
    return result;
  }

  /** A fresh merchant: one test's failed attempts must not rate-limit the next. */
  const guesser = () => world.merchant(`Guesser ${++guessers}`);
  /** The next payment code of a wallet: one per 20-second step. */
  async function nextCode(w: WalletClient): Promise<string> {
    world.clock.advance(20_000);
    return (await w.paymentCode(world.clock.now())).digits;
  }

  // ---- the consumer's payment code, scanned by a merchant ------------------------------------

  describe('payment codes', () => {
    it('a used code is refused to the merchant that took it and to any other (PAYMENT_CODE_USED); a code past its 60 s, PAYMENT_CODE_EXPIRED', async () => {
      const alice = await world.wallet('Alice', 100_000n);
      const code = await nextCode(alice);
      expect((await shop.client.scan({ code, amountMinor: 1_500 })).status).toBe('succeeded');
      await untouched([wallet(alice), merchantAccount(shop), merchantAccount(rival)], async () => {
        await refused(shop.client.scan({ code, amountMinor: 1_500 }), 409, 'PAYMENT_CODE_USED');
        await refused(rival.client.scan({ code, amountMinor: 900 }), 409, 'PAYMENT_CODE_USED');
        const stale = await nextCode(alice);
        world.clock.advance(60_001);
        await refused(shop.client.scan({ code: stale, amountMinor: 1_500 }), 409, 'PAYMENT_CODE_EXPIRED');
      });
      // The consumer's next code pays.
      expect((await shop.client.scan({ code: await nextCode(alice), amountMinor: 1_500 })).status).toBe('succeeded');
    });

    it('four merchants racing to charge the same code: exactly one is paid, the others get PAYMENT_CODE_USED', async () => {
      const alice = await world.wallet('Alice', 100_000n);
      const racers = [shop, rival, await guesser(), await guesser()];
      for (let round = 0; round < 3; round++) {
        const code = await nextCode(alice);
        const before = await world.balances([wallet(alice), ...racers.map(merchantAccount)]);
        const results = outcomes(await Promise.allSettled(racers.map((m) => m.client.scan({ code, amountMinor: 2_000 }))));
        expect(tally(results)).toEqual({ ok: 1, PAYMENT_CODE_USED: racers.length - 1 });
        const after = await world.balances([wallet(alice), ...racers.map(merchantAccount)]);
        expect(after[0]).toBe(before[0]! - 2_000n);
        const winner = results.indexOf('ok');
        racers.forEach((_m, i) => expect(after[i + 1]! > before[i + 1]!).toBe(i === winner));
      }
      await world.verifyLedger();
    });

    it('guessed codes are PAYMENT_CODE_INVALID, alike for an unknown and a known device; after 5 a minute the merchant is PAYMENT_CODE_RATE_LIMITED', async () => {
      const alice = await world.wallet('Alice', 100_000n);
      const g = await guesser();
      const messages = await untouched([wallet(alice), merchantAccount(g)], async () => {
        const seen: string[] = [];
        for (let i = 0; i < 4; i++) seen.push((await refused(g.client.scan({ code: guessedCode(), amountMinor: 1_000 }), 400, 'PAYMENT_CODE_INVALID')).message);
        // Aimed at Alice's live device: the same answer, so guesses cannot map live indices.
        seen.push((await refused(g.client.scan({ code: guessedCode(alice.device!.deviceIndex), amountMinor: 1_000 }), 400, 'PAYMENT_CODE_INVALID')).message);
        await refused(g.client.scan({ code: guessedCode(), amountMinor: 1_000 }), 429, 'PAYMENT_CODE_RATE_LIMITED');
        // Even a genuine code is not verified for this merchant within the minute.
        await refused(g.client.scan({ code: (await alice.paymentCode(world.clock.now())).digits, amountMinor: 1_000 }), 429, 'PAYMENT_CODE_RATE_LIMITED');
        return seen;
      });
      expect(new Set(messages).size).toBe(1);
      // The limit is the merchant's: another merchant takes the code; a minute on, the guesser may scan again.
      expect((await shop.client.scan({ code: (await alice.paymentCode(world.clock.now())).digits, amountMinor: 1_000 })).status).toBe('succeeded');
      world.clock.advance(60_001);
      expect((await g.client.scan({ code: await nextCode(alice), amountMinor: 1_000 })).status).toBe('succeeded');
    });

    it('10 invalid codes against one device lock it (PAYMENT_CODE_DEVICE_LOCKED), its genuine code too, until the holder re-enables it', async () => {
      const carol = await world.wallet('Carol', 100_000n);
      await carol.setPin(PIN);
      const index = carol.device!.deviceIndex;
      const [g1, g2, m3] = [await guesser(), await guesser(), await guesser()];
      await untouched([wallet(carol), merchantAccount(m3)], async () => {
        for (const g of [g1, g2]) {
          for (let i = 0; i < 5; i++) await refused(g.client.scan({ code: guessedCode(index), amountMinor: 1_000 }), 400, 'PAYMENT_CODE_INVALID');
        }
        await refused(m3.client.scan({ code: await nextCode(carol), amountMinor: 1_000 }), 403, 'PAYMENT_CODE_DEVICE_LOCKED');
        expect((await carol.devices()).find((d) => d.id === carol.device!.deviceId)!.paymentCodeLocked).toBe(true);
        await refused(m3.client.scan({ code: await nextCode(carol), amountMinor: 1_000 }), 403, 'PAYMENT_CODE_DEVICE_LOCKED');
      });
      await refused(carol.enablePaymentCode('000111'), 403, 'PIN_INVALID');
      expect((await carol.enablePaymentCode(PIN)).paymentCodeLocked).toBe(false);
      expect((await m3.client.scan({ code: await nextCode(carol), amountMinor: 1_000 })).status).toBe('succeeded');
    });

    it('20 guesses at once from one merchant: no more than 5 are verified within the minute', async () => {
      const g = await guesser();
      const results = await untouched([merchantAccount(g)], async () =>
        outcomes(await Promise.allSettled(Array.from({ length: 20 }, () => g.client.scan({ code: guessedCode(), amountMinor: 1_000 })))),
      );
      const counts = tally(results);
      expect(counts.PAYMENT_CODE_INVALID ?? 0, JSON.stringify(counts)).toBeLessThanOrEqual(5);
      expect((counts.PAYMENT_CODE_INVALID ?? 0) + (counts.PAYMENT_CODE_RATE_LIMITED ?? 0), JSON.stringify(counts)).toBe(20);
    });

    it('20 guesses at once against one device, from 4 merchants: no more than 10 are verified before it locks', async () => {
      const dave = await world.wallet('Dave', 100_000n);
      const index = dave.device!.deviceIndex;
      const gs = [await guesser(), await guesser(), await guesser(), await guesser()];
      const results = await untouched([wallet(dave)], async () =>
        outcomes(await Promise.allSettled(gs.flatMap((g) => Array.from({ length: 5 }, () => g.client.scan({ code: guessedCode(index), amountMinor: 1_000 }))))),
      );
      const counts = tally(results);
      expect(counts.PAYMENT_CODE_INVALID ?? 0, JSON.stringify(counts)).toBeLessThanOrEqual(10);
      expect(results.every((r) => ['PAYMENT_CODE_INVALID', 'PAYMENT_CODE_DEVICE_LOCKED', 'PAYMENT_CODE_RATE_LIMITED'].includes(r)), JSON.stringify(counts)).toBe(true);
      const device = await world.env.platform.store.db.selectFrom('devices').select('pay_code_failed_consecutive').where('id', '=', dave.device!.deviceId).executeTakeFirstOrThrow();
      expect(Number(device.pay_code_failed_consecutive)).toBeLessThanOrEqual(10);
    });
  });

  // ---- the signed challenge ------------------------------------------------------------------

  describe('signed challenges', () => {
    it('a signed challenge pays once: replayed after it paid, and 10 times at once, exactly one payment, the rest CHALLENGE_USED', async () => {
      const alice = await world.wallet('Alice', 100_000n);
      const pay = (body: unknown) => call(world.base, 'POST', '/v1/wallet/payments', { token: alice.sessionToken, json: body });
      const prepared = await alice.prepare({ code: tillCode, amountMinor: 1_234 });
      const body = { challengeId: prepared.challengeId, signature: await signMessage(alice.device!.key, prepared.message) };
      expect((await pay(body)).status).toBe(201);
      await untouched([wallet(alice), merchantAccount(shop)], async () => expectError(await pay(body), 409, 'CHALLENGE_USED', 'challengeId'));

      const again = await alice.prepare({ code: tillCode, amountMinor: 2_345 });
      const signed = { challengeId: again.challengeId, signature: await signMessage(alice.device!.key, again.message) };
      const before = await world.available(wallet(alice));
      const answers = await Promise.all(Array.from({ length: 10 }, () => pay(signed)));
      expect(tally(answers.map((r) => (r.status === 201 ? 'ok' : r.body.error.code)))).toEqual({ ok: 1, CHALLENGE_USED: 9 });
      for (const r of answers.filter((a) => a.status !== 201)) expectError(r, 409, 'CHALLENGE_USED');
      expect(await world.available(wallet(alice))).toBe(before - 2_345n);
      const rows = await world.env.platform.store.db.selectFrom('payments').select('id').where('challenge_id', '=', again.challengeId).execute();
      expect(rows).toHaveLength(1);
      await world.verifyLedger();
    });

    it('a signature over an altered text (other amount, other payee) or by another device’s key: SIGNATURE_INVALID; the genuine one still pays', async () => {
      const alice = await world.wallet('Alice', 100_000n);
      const bob = await world.wallet('Bob', 0n);
      const prepared = await alice.prepare({ code: tillCode, amountMinor: 1_250 });
      expect(prepared.message).toContain('amount: 1250 CNY (12.50 CNY)');
      const cheaper = prepared.message.replace('amount: 1250 CNY (12.50 CNY)', 'amount: 1 CNY (0.01 CNY)');
      const elsewhere = prepared.message.replace(`merchant ${shop.merchant.id}`, `merchant ${rival.merchant.id}`).replace('Honest Tea House', 'Other Tea Shop');
      expect(new Set([prepared.message, cheaper, elsewhere]).size).toBe(3);
      const other = await alice.prepare({ code: tillCode, amountMinor: 1_250 });
      const forgeries = [
        await signMessage(alice.device!.key, cheaper),
        await signMessage(alice.device!.key, elsewhere),
        await signMessage(bob.device!.key, prepared.message),
        // Alice's own signature, but over another challenge of the same payee and amount.
        await signMessage(alice.device!.key, other.message),
      ];
      await untouched([wallet(alice), merchantAccount(shop), merchantAccount(rival)], async () => {
        for (const signature of forgeries) {
          const res = await call(world.base, 'POST', '/v1/wallet/payments', { token: alice.sessionToken, json: { challengeId: prepared.challengeId, signature } });
          expectError(res, 401, 'SIGNATURE_INVALID', 'signature');
        }
      });
      const paid = await alice.confirmPrepared(prepared);
      expect(paid).toMatchObject({ status: 'succeeded', amountMinor: 1_250, merchantId: shop.merchant.id });
    });

    it('a challenge belongs to one consumer’s device: from another consumer’s session, CHALLENGE_NOT_FOUND', async () => {
      const alice = await world.wallet('Alice', 100_000n);
      const bob = await world.wallet('Bob', 100_000n);
      const prepared = await alice.prepare({ code: tillCode, amountMinor: 1_500 });
      await untouched([wallet(alice), wallet(bob), merchantAccount(shop)], async () => {
        for (const key of [alice.device!.key, bob.device!.key]) {
          const res = await call(world.base, 'POST', '/v1/wallet/payments', { token: bob.sessionToken, json: { challengeId: prepared.challengeId, signature: await signMessage(key, prepared.message) } });
          expectError(res, 404, 'CHALLENGE_NOT_FOUND', 'challengeId');
        }
      });
      expect((await alice.confirmPrepared(prepared)).status).toBe('succeeded');
    });

    it('a confirmation challenge confirms only its own payment: CHALLENGE_NOT_FOUND for another', async () => {
      const { wallet: erin } = await world.verifiedWallet('Erin', 500_000n);
      await erin.setPin(PIN);
      const first = await shop.client.scan({ code: await nextCode(erin), amountMinor: 30_000 });
      const second = await shop.client.scan({ code: await nextCode(erin), amountMinor: 40_000 });
      const challenge = await call(world.base, 'POST', `/v1/wallet/confirmations/${first.id}/challenge`, { token: erin.sessionToken });
      const body = { challengeId: challenge.body.challengeId, signature: await signMessage(erin.device!.key, challenge.body.message), pin: PIN };
      await untouched([wallet(erin), merchantAccount(shop)], async () => {
        expectError(await call(world.base, 'POST', `/v1/wallet/confirmations/${second.id}`, { token: erin.sessionToken, json: body }), 404, 'CHALLENGE_NOT_FOUND');
      });
      expect((await call(world.base, 'POST', `/v1/wallet/confirmations/${first.id}`, { token: erin.sessionToken, json: body })).status).toBe(200);
      expect((await shop.client.payment(second.id)).status).toBe('awaiting_confirmation');
    });

    it('a challenge past its 2 minutes: CHALLENGE_EXPIRED', async () => {
      const alice = await world.wallet('Alice', 100_000n);
      const prepared = await alice.prepare({ code: tillCode, amountMinor: 1_500 });
      world.clock.advance(CHALLENGE_TTL_MS + 1);
      await untouched([wallet(alice), merchantAccount(shop)], async () => {
        await refused(alice.confirmPrepared(prepared), 409, 'CHALLENGE_EXPIRED');
      });
    });
  });

  // ---- dynamic order codes -------------------------------------------------------------------

  describe('order codes', () => {
    it('an order code pays once: paid again, or by a second payer, ORDER_NOT_OPEN; two payers at once, exactly one', async () => {
      const alice = await world.wallet('Alice', 200_000n);
      const bob = await world.wallet('Bob', 200_000n);
      const order = await shop.client.createOrder({ amountMinor: 8_800, reference: `once-${store}` });
      await alice.pay({ code: order.payload });
      await untouched([wallet(alice), wallet(bob), merchantAccount(shop)], async () => {
        await refused(alice.pay({ code: order.payload }), 409, 'ORDER_NOT_OPEN');
        await refused(bob.pay({ code: order.payload }), 409, 'ORDER_NOT_OPEN');
      });

      for (let round = 0; round < 3; round++) {
        const raced = await shop.client.createOrder({ amountMinor: 4_400, reference: `race-${store}-${round}` });
        // Both scanned while the order was open; both sign; both send at once.
        const prepared = await Promise.all([alice.prepare({ code: raced.payload }), bob.prepare({ code: raced.payload })]);
        const before = await world.balances([wallet(alice), wallet(bob), merchantAccount(shop)]);
        const settled = await Promise.allSettled([alice.confirmPrepared(prepared[0]), bob.confirmPrepared(prepared[1])]);
        expect(tally(outcomes(settled))).toEqual({ ok: 1, ORDER_NOT_OPEN: 1 });
        const winner = settled.findIndex((s) => s.status === 'fulfilled');
        const after = await world.balances([wallet(alice), wallet(bob), merchantAccount(shop)]);
        expect(after[winner]).toBe(before[winner]! - 4_400n);
        expect(after[1 - winner]).toBe(before[1 - winner]);
        const final = await shop.client.order(raced.id);
        expect(final.status).toBe('paid');
        expect(final.paymentId).toBe((settled[winner] as PromiseFulfilledResult<{ id: string }>).value.id);
      }
      await world.verifyLedger();
    });

    it('an order code scanned past its expiry: ORDER_EXPIRED', async () => {
      const alice = await world.wallet('Alice', 100_000n);
      const lapsed = await shop.client.createOrder({ amountMinor: 500, reference: `lapsed-${store}`, ttlMs: 10_000 });
      world.clock.advance(11_000);
      await untouched([wallet(alice), merchantAccount(shop)], async () => {
        await refused(alice.prepare({ code: lapsed.payload }), 409, 'ORDER_EXPIRED');
      });
      expect((await shop.client.order(lapsed.id)).status).toBe('expired');
    });

    it('an order code that expires between scan and payment: ORDER_EXPIRED', async () => {
      const alice = await world.wallet('Alice', 100_000n);
      const scanned = await shop.client.createOrder({ amountMinor: 600, reference: `lapsing-${store}`, ttlMs: 10_000 });
      const prepared = await alice.prepare({ code: scanned.payload });
      world.clock.advance(11_000);
      await untouched([wallet(alice), merchantAccount(shop)], async () => {
        await refused(alice.confirmPrepared(prepared), 409, 'ORDER_EXPIRED');
      });
      expect((await shop.client.order(scanned.id)).status).toBe('expired');
    });

    it('closing an order while a payer pays: exactly one wins, and money moved if and only if the order is paid', async () => {
      const alice = await world.wallet('Alice', 200_000n);
      const winners: string[] = [];
      for (let round = 0; round < 6; round++) {
        const order = await shop.client.createOrder({ amountMinor: 3_300, reference: `close-race-${store}-${round}` });
        const prepared = await alice.prepare({ code: order.payload });
        const before = await world.balances([wallet(alice), merchantAccount(shop)]);
        const [closed, paid] = await Promise.allSettled([shop.client.closeOrder(order.id), alice.confirmPrepared(prepared)]);
        const codes = outcomes([closed, paid]);
        expect(codes.filter((c) => c === 'ok'), JSON.stringify(codes)).toHaveLength(1);
        expect(codes.filter((c) => c !== 'ok')).toEqual(['ORDER_NOT_OPEN']);
        const after = await world.balances([wallet(alice), merchantAccount(shop)]);
        const status = (await shop.client.order(order.id)).status;
        const moved = after[0] !== before[0];
        expect({ status, moved }).toEqual(paid.status === 'fulfilled' ? { status: 'paid', moved: true } : { status: 'closed', moved: false });
        if (moved) expect(after[0]).toBe(before[0]! - 3_300n);
        expect(after[1]! - before[1]!).toBe(moved ? 3_300n - feeMinor(3_300n, shop.merchant.feeRateBp) : 0n);
        winners.push(codes[0] === 'ok' ? 'close' : 'pay');
      }
      await world.verifyLedger();
    });
  });

  // ---- static codes ---------------------------------------------------------------------------

  describe('static codes', () => {
    it('a counterfeit code (payee or amount edited with the CRC recomputed, signed by a key not the platform’s) is QR_COUNTERFEIT; foreign codes and links are QR_NOT_PAYABLE', async () => {
      const alice = await world.wallet('Alice', 100_000n);
      expect(rival.merchant.id).toHaveLength(shop.merchant.id.length);
      expect(tillCode).toContain(shop.merchant.id);
      const redirected = withRecomputedCrc(tillCode.replace(shop.merchant.id, rival.merchant.id));
      const order = await shop.client.createOrder({ amountMinor: 8_800, reference: `edited-${store}` });
      expect(order.payload).toContain('540588.00');
      const cheaper = withRecomputedCrc(order.payload.replace('540588.00', '540501.00'));
      const { keys } = (await call(world.base, 'GET', '/v1/qr/keys')).body as { keys: Array<{ keyId: string; status: string }> };
      const activeKeyId = keys.find((k) => k.status === 'active')!.keyId;
      const forger = ed25519Signer(randomBytes(32));
      const fields = { merchantId: shop.merchant.id, merchantName: 'Honest Tea House', city: 'Shanghai', countryCode: 'CN', mcc: '5812', currency: 'CNY' };
      const unknownKey = buildMerchantCode(fields, 'kForged', forger);
      const platformKeyId = buildMerchantCode(fields, activeKeyId, forger);
      const challenges = async () => (await world.env.platform.store.db.selectFrom('challenges').select('id').execute()).length;
      const issued = await challenges();
      await untouched([wallet(alice), merchantAccount(shop), merchantAccount(rival)], async () => {
        for (const code of [redirected, cheaper, unknownKey, platformKeyId]) {
          const error = await refused(alice.prepare({ code, amountMinor: 1_000 }), 422, 'QR_COUNTERFEIT');
          expect(error.param).toBe('code');
        }
        for (const code of [PIX, 'https://pay.example.com/honest-tea?amount=10', 'WIFI:S:tea;T:WPA;P:secret;;', 'hello']) {
          await refused(alice.prepare({ code, amountMinor: 1_000 }), 422, 'QR_NOT_PAYABLE');
        }
      });
      // Refused before any challenge was issued: nothing to sign.
      expect(await challenges()).toBe(issued);
    });
  });

  // ---- the payment PIN -----------------------------------------------------------------------

  describe('PIN', () => {
    const wrongPins = ['000001', '111112', '222223', '333334', '444445', '555556', '666667', '777778', '888889', '999990', '102938', '564738', '918273', '374651', '826451', '192837', '650192', '473829', '283746', '918364'];

    it('5 wrong PINs lock it (PIN_LOCKED), even for the right PIN and on every route that takes it; the identity reset from a bound device unlocks', async () => {
      const { wallet: erin, identity } = await world.verifiedWallet('Erin', 500_000n);
      await erin.setPin(PIN);
      const order = await shop.client.createOrder({ amountMinor: 30_000, reference: `pin-${store}` });
      const prepared = await erin.prepare({ code: order.payload });
      expect(prepared.pinRequired).toBe(true);
      const signature = await signMessage(erin.device!.key, prepared.message);
      const pay = (pin: string) => call(world.base, 'POST', '/v1/wallet/payments', { token: erin.sessionToken, json: { challengeId: prepared.challengeId, signature, pin } });
      // A merchant-scanned payment above the password-free limit waits for her PIN too.
      const waiting = await shop.client.scan({ code: await nextCode(erin), amountMinor: 25_000 });
      await untouched([wallet(erin), merchantAccount(shop)], async () => {
        for (let i = 1; i < PIN_ATTEMPTS_MAX; i++) {
          const res = await pay(wrongPins[i]!);
          expectError(res, 403, 'PIN_INVALID', 'pin');
          expect(res.body.error.message).toContain(`${PIN_ATTEMPTS_MAX - i} attempt`);
        }
        expectError(await pay(wrongPins[0]!), 423, 'PIN_LOCKED');
        expectError(await pay(PIN), 423, 'PIN_LOCKED');
        await refused(erin.setPin('864209', PIN), 423, 'PIN_LOCKED');
        await refused(erin.confirm(waiting.id, PIN), 423, 'PIN_LOCKED');
        // The reset needs the identity on file.
        await refused(erin.resetPin({ name: identity.name, idNumber: residentIdNumber(), newPin: '864209' }), 422, 'IDENTITY_VERIFICATION_FAILED');
        expectError(await pay(PIN), 423, 'PIN_LOCKED');
      });
      await erin.decline(waiting.id);
      await erin.resetPin({ ...identity, newPin: '864209' });
      const paid = await pay('864209');
      expect(paid.status, paid.text).toBe(201);
      expect(paid.body).toMatchObject({ status: 'succeeded', level: 'A', amountMinor: 30_000 });
    });

    it('20 wrong PINs at once: at most 5 are ever checked, then PIN_LOCKED, the right PIN too', async () => {
      const { wallet: frank } = await world.verifiedWallet('Frank', 500_000n);
      await frank.setPin(PIN);
      const order = await shop.client.createOrder({ amountMinor: 30_000, reference: `pin-storm-${store}` });
      const prepared = await frank.prepare({ code: order.payload });
      const signature = await signMessage(frank.device!.key, prepared.message);
      const pay = (pin: string) => call(world.base, 'POST', '/v1/wallet/payments', { token: frank.sessionToken, json: { challengeId: prepared.challengeId, signature, pin } });
      await untouched([wallet(frank), merchantAccount(shop)], async () => {
        const answers = await Promise.all(wrongPins.map(pay));
        const counts = tally(answers.map((r) => `${r.status} ${r.body?.error?.code}`));
        expect(Object.keys(counts).every((k) => k === '403 PIN_INVALID' || k === '423 PIN_LOCKED'), JSON.stringify(counts)).toBe(true);
        expect(counts['403 PIN_INVALID'] ?? 0).toBeLessThan(PIN_ATTEMPTS_MAX);
        const row = await world.env.platform.store.db.selectFrom('consumers').select(['pin_failed_attempts', 'pin_locked_until_ms']).where('id', '=', frank.consumerId!).executeTakeFirstOrThrow();
        // Each checked PIN is counted before its hash is compared: the count is the number checked.
        expect(Number(row.pin_failed_attempts)).toBe(PIN_ATTEMPTS_MAX);
        expect(row.pin_locked_until_ms).not.toBeNull();
        expectError(await pay(PIN), 423, 'PIN_LOCKED');
      });
    });
  });

  // ---- a new device ---------------------------------------------------------------------------

  describe('new devices', () => {
    it('a device waiting for approval can neither sign in (DEVICE_NOT_ACTIVE) nor pay with its payment code', async () => {
      const { wallet: gina, identifier } = await world.verifiedWallet('Gina', 500_000n);
      const phone = new WalletClient({ baseUrl: world.base });
      expect((await phone.requestDevice({ identifier, label: 'thief’s phone' })).status).toBe('pending_approval');
      await untouched([wallet(gina), merchantAccount(shop)], async () => {
        await refused(phone.signIn(), 403, 'DEVICE_NOT_ACTIVE');
        await refused(shop.client.scan({ code: await nextCode(phone), amountMinor: 1_000 }), 400, 'PAYMENT_CODE_INVALID');
      });
    });

    it('activated by identity re-verification, it pays at most 200 yuan at once for 24 h (DEVICE_COOLING_OFF); a device approved by a bound one has no cooling-off', async () => {
      const { wallet: gina, identity, identifier } = await world.verifiedWallet('Gina', 1_000_000n);
      await gina.setPin(PIN);
      const phone = new WalletClient({ baseUrl: world.base });
      await phone.requestDevice({ identifier, label: 'replacement phone' });
      await refused(phone.activateByIdentity({ name: identity.name, idNumber: residentIdNumber() }), 422, 'IDENTITY_VERIFICATION_FAILED');
      await refused(phone.signIn(), 403, 'DEVICE_NOT_ACTIVE');
      const activated = await phone.activateByIdentity(identity);
      expect(activated.status).toBe('active');
      expect(activated.trustedFromMs).toBeGreaterThan(world.clock.now() + DEVICE_COOLING_OFF_MS - 60_000);
      await phone.signIn();
      const big = 30_000n;
      expect(big > DEVICE_COOLING_OFF_PAYMENT_MINOR_MAX).toBe(true);
      const order = await shop.client.createOrder({ amountMinor: big, reference: `cooling-${store}` });
      await untouched([wallet(gina), merchantAccount(shop)], async () => {
        await refused(phone.pay({ code: order.payload, pin: PIN }), 403, 'DEVICE_COOLING_OFF');
        await refused(shop.client.scan({ code: await nextCode(phone), amountMinor: big }), 403, 'DEVICE_COOLING_OFF');
      });
      // Up to the cap it pays.
      const small = await shop.client.createOrder({ amountMinor: DEVICE_COOLING_OFF_PAYMENT_MINOR_MAX, reference: `cooling-small-${store}` });
      expect((await phone.pay({ code: small.payload })).status).toBe('succeeded');
      world.clock.advance(DEVICE_COOLING_OFF_MS + 1_000);
      const later = await shop.client.createOrder({ amountMinor: big, reference: `cooled-${store}` });
      expect((await phone.pay({ code: later.payload, pin: PIN })).status).toBe('succeeded');

      const approved = new WalletClient({ baseUrl: world.base });
      await approved.requestDevice({ identifier, label: 'second phone' });
      await gina.approveDevice(approved.device!.deviceId);
      await approved.signIn();
      const another = await shop.client.createOrder({ amountMinor: big, reference: `approved-${store}` });
      expect((await approved.pay({ code: another.payload, pin: PIN })).status).toBe('succeeded');
      await world.verifyLedger();
    });

    /** Someone with the holder's identity papers activates a phone of their own: it cools off for 24 h. */
    async function coolingPhone(name: string) {
      const victim = await world.verifiedWallet(name, 1_000_000n);
      await victim.wallet.setPin(PIN);
      const phone = new WalletClient({ baseUrl: world.base });
      await phone.requestDevice({ identifier: victim.identifier, label: 'phone activated by identity' });
      await phone.activateByIdentity(victim.identity);
      await phone.signIn();
      return { ...victim, phone };
    }

    it('a device cooling off moves no more than 200 yuan to a person either (DEVICE_COOLING_OFF)', async () => {
      const { wallet: holder, phone } = await coolingPhone('Hana');
      const { identifier: mule } = await world.verifiedWallet('Mule', 0n);
      await untouched([wallet(holder)], async () => {
        await refused(phone.transfer({ to: mule, amountMinor: 30_000, pin: PIN }), 403, 'DEVICE_COOLING_OFF');
      });
    });

    it('a device cooling off cannot withdraw more than 200 yuan to a bank account, even with the PIN (DEVICE_COOLING_OFF)', async () => {
      const { wallet: holder, phone } = await coolingPhone('Iris');
      await untouched([wallet(holder)], async () => {
        const res = await call(world.base, 'POST', '/v1/wallet/withdrawals', { token: phone.sessionToken, json: { amountMinor: 500_000, currency: 'CNY', bankAccount: '6222020299998888', pin: PIN } });
        expectError(res, 403, 'DEVICE_COOLING_OFF');
      });
    });

    it('a device cooling off cannot approve another device that would not cool off', async () => {
      const { wallet: holder, identifier, phone } = await coolingPhone('Jade');
      const second = new WalletClient({ baseUrl: world.base });
      await second.requestDevice({ identifier, label: 'second phone of the same person' });
      const [approval] = outcomes(await Promise.allSettled([phone.approveDevice(second.device!.deviceId)]));
      // Refusing the approval would do; so would an approved device inheriting the cooling-off.
      if (approval !== 'ok') {
        expect(approval).toBe('DEVICE_COOLING_OFF');
        return;
      }
      await second.signIn();
      const order = await shop.client.createOrder({ amountMinor: 30_000, reference: `laundered-${store}` });
      await untouched([wallet(holder), merchantAccount(shop)], async () => {
        await refused(second.pay({ code: order.payload, pin: PIN }), 403, 'DEVICE_COOLING_OFF');
      });
    });
  });

  // ---- idempotency keys -----------------------------------------------------------------------

  describe('Idempotency-Key', () => {
    it('on a wallet payment: the same body gets the stored answer byte for byte and pays once; another body with the key is IDEMPOTENCY_KEY_MISMATCH', async () => {
      const helen = await world.wallet('Helen', 100_000n);
      const sign = async (amountMinor: number) => {
        const p = await helen.prepare({ code: tillCode, amountMinor });
        return { challengeId: p.challengeId, signature: await signMessage(helen.device!.key, p.message) };
      };
      const pay = (key: string, body: unknown) => call(world.base, 'POST', '/v1/wallet/payments', { token: helen.sessionToken, json: body, headers: { 'idempotency-key': key } });
      const key = `pay-${store}-${randomBytes(6).toString('hex')}`;
      const first = await sign(1_111);
      const before = await world.available(wallet(helen));
      const original = await pay(key, first);
      expect(original.status, original.text).toBe(201);
      expect(original.headers.get('idempotent-replayed')).toBeNull();
      const second = await sign(2_222);
      await untouched([wallet(helen), merchantAccount(shop)], async () => {
        const replay = await pay(key, first);
        expect(replay.status).toBe(201);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.text).toBe(original.text);
        expectError(await pay(key, second), 422, 'IDEMPOTENCY_KEY_MISMATCH', 'Idempotency-Key');
      });
      expect(await world.available(wallet(helen))).toBe(before - 1_111n);
      // The refused body was never run: its challenge still pays under a key of its own.
      expect((await pay(`${key}-2`, second)).status).toBe(201);
      expect(await world.available(wallet(helen))).toBe(before - 1_111n - 2_222n);
    });

    it('on a merchant refund: the same body replays byte for byte and refunds once; another amount with the key is IDEMPOTENCY_KEY_MISMATCH', async () => {
      const ivan = await world.wallet('Ivan', 100_000n);
      const payment = await ivan.pay({ code: tillCode, amountMinor: 5_000 });
      const refund = (key: string, amountMinor: number) =>
        call(world.base, 'POST', `/v1/payments/${payment.id}/refunds`, { token: shop.apiKey, json: { amountMinor }, headers: { 'idempotency-key': key } });
      const key = `refund-${store}-${randomBytes(6).toString('hex')}`;
      const before = await world.balances([wallet(ivan), merchantAccount(shop)]);
      const original = await refund(key, 1_000);
      expect(original.status, original.text).toBe(201);
      const after = await world.balances([wallet(ivan), merchantAccount(shop)]);
      expect(after[0]).toBe(before[0]! + 1_000n);
      await untouched([wallet(ivan), merchantAccount(shop)], async () => {
        const replay = await refund(key, 1_000);
        expect(replay.status).toBe(201);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
        expect(replay.text).toBe(original.text);
        expectError(await refund(key, 2_000), 422, 'IDEMPOTENCY_KEY_MISMATCH', 'Idempotency-Key');
      });
      expect((await shop.client.payment(payment.id)).refundedMinor).toBe(1_000);
      const refunds = await world.env.platform.store.db.selectFrom('refunds').select('id').where('payment_id', '=', payment.id).execute();
      expect(refunds).toHaveLength(1);
    });
  });

  // Last: revoking the first signing key makes every code signed before (the shared till's too) counterfeit.
  describe('revoked signing keys', () => {
    it('a code signed by a revoked key is QR_COUNTERFEIT, while codes of a merely retired key still pay', async () => {
      const alice = await world.wallet('Alice', 100_000n);
      const { keys } = (await call(world.base, 'GET', '/v1/qr/keys')).body as { keys: Array<{ keyId: string; status: string }> };
      const oldKeyId = keys.find((k) => k.status === 'active')!.keyId;
      const old = (await shop.client.createTill(`old key ${store}`)).payload;
      const rotated = await call(world.base, 'POST', '/v1/ops/qr/keys/rotate', { token: world.adminToken });
      expect(rotated.status, rotated.text).toBe(200);
      expect((await alice.pay({ code: old, amountMinor: 700 })).status).toBe('succeeded');
      const fresh = (await shop.client.createTill(`new key ${store}`)).payload;
      const revoked = await call(world.base, 'POST', `/v1/ops/qr/keys/${oldKeyId}/revoke`, { token: world.adminToken });
      expect(revoked.status, revoked.text).toBe(200);
      await untouched([wallet(alice), merchantAccount(shop)], async () => {
        await refused(alice.prepare({ code: old, amountMinor: 700 }), 422, 'QR_COUNTERFEIT');
      });
      expect((await alice.pay({ code: fresh, amountMinor: 700 })).status).toBe('succeeded');
    });
  });
});
